#!/usr/bin/env python3
"""The PyTorch side of bench/run's gradcam-ARCH-SIZE-bBATCH cases: pytorch-grad-cam's GradCAM at the
last block (ResNet layer4[-1]) for the predicted class of each image of a random batch, on a
torchvision model with random weights in eval mode, timed as Sources/scalpel-bench/GradCAMBench.swift.
Prints one JSON object.
"""
import argparse
import json

import torch
from pytorch_grad_cam import GradCAM

from pytorch_bench import build, median_seconds


def last_block(model, architecture):
    if architecture.startswith("resnet"):
        return model.layer4[-1]
    if architecture.startswith("densenet"):
        return model.features[-1]
    return model.features[-1]


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
    if kind != "gradcam":
        parser.error(f"gradcam_bench.py runs gradcam-* cases; got {args.case}")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(architecture, 1000).eval()
    images = torch.randn(batch, 3, size, size)
    if args.layout == "channels-last":
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    cam = GradCAM(model=model, target_layers=[last_block(model, architecture)])
    seconds = median_seconds(args.steps, args.warmup, lambda: cam(input_tensor=images, targets=None))
    print(json.dumps({"images_per_second": batch / seconds, "layout": args.layout, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
