#!/usr/bin/env python3
"""The PyTorch side of bench/run: the same work as Sources/scalpel-bench, timed the same way.

A case name reads KIND-ARCHITECTURE-SIZE-bBATCH (train, infer or latency). Prints one JSON object.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision


def build(architecture, classes):
    if architecture.startswith("efficientnet_lite"):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts" / "fixtures"))
        import models_lite  # the reference implementation the parity fixtures use
        return models_lite.ARCHITECTURES[architecture][0](classes)
    return getattr(torchvision.models, architecture)(num_classes=classes)


def median_seconds(steps, warmup, step):
    times = []
    for index in range(warmup + steps):
        start = time.perf_counter()
        step()
        if index >= warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def images_per_second(kind, architecture, size, batch, steps, warmup, channels_last):
    torch.manual_seed(0)
    model = build(architecture, 10 if kind == "train" else 1000)
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    if kind == "train":
        model.train()
        labels = torch.randint(0, 10, (batch,))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # PyTorch's default implementation

        def step():
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(images), labels).backward()
            optimizer.step()
        seconds = median_seconds(steps, warmup, step)
    else:
        model.eval()
        with torch.no_grad():
            seconds = median_seconds(steps, warmup, lambda: model(images))
    return batch / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layout", choices=["contiguous", "channels-last"], default="contiguous")
    args = parser.parse_args()
    parts = args.case.split("-")
    kind, architecture, size, batch = parts[0], "-".join(parts[1:-2]), int(parts[-2]), int(parts[-1][1:])
    if kind not in ("train", "infer", "latency"):
        parser.error(f"unknown kind in case {args.case}")
    torch.set_num_threads(args.threads)
    rate = images_per_second(kind, architecture, size, batch, args.steps, args.warmup, args.layout == "channels-last")
    print(json.dumps({"images_per_second": rate, "layout": args.layout, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
