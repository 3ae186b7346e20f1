"""The PyTorch side of bench/run's gradcam-ARCH-SIZE-bBATCH cases (called from pytorch_bench.py):
pytorch-grad-cam's GradCAM at the last block (ResNet layer4[-1]) for the predicted class of each image
of a random batch, on a torchvision model with random weights in eval mode, timed as
Sources/scalpel-bench/GradCAMBench.swift.
"""
import torch
from pytorch_grad_cam import GradCAM


def gradcam_images_per_second(build, median_seconds, architecture, size, batch, steps, warmup, channels_last):
    torch.manual_seed(0)
    model = build(architecture, 1000).eval()
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    layer = model.layer4[-1] if architecture.startswith("resnet") else model.features[-1]
    cam = GradCAM(model=model, target_layers=[layer])
    return batch / median_seconds(steps, warmup, lambda: cam(input_tensor=images, targets=None))
