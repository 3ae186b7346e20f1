#!/usr/bin/env python3
"""The PyTorch side of bench/run: the same work as Sources/scalpel-bench, timed the same way.

Prints one JSON object per case: {"case": ..., "images_per_second": ..., "layout": ...}.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
import torchvision

CASES = {
    # name: (image size, batch)
    "train-resnet18-224-b32": (224, 32),
    "train-resnet18-28-b64": (28, 64),
}


def train_case(size, batch, steps, warmup, channels_last):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=10)
    model.train()
    images = torch.randn(batch, 3, size, size)
    labels = torch.randint(0, 10, (batch,))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # PyTorch's default implementation
    times = []
    for step in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        if step >= warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    return batch / median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layout", choices=["contiguous", "channels-last"], default="contiguous")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    size, batch = CASES[args.case]
    rate = train_case(size, batch, args.steps, args.warmup, args.layout == "channels-last")
    print(json.dumps({"case": args.case, "images_per_second": rate, "layout": args.layout,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
