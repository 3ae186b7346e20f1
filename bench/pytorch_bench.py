#!/usr/bin/env python3
"""The PyTorch side of bench/run: the same work as Sources/scalpel-bench, timed the same way.

A case name reads KIND-ARCHITECTURE-SIZE-bBATCH (train, infer or latency), or
loader-medmnist-SIZE-bBATCH: torch.utils.data.DataLoader over PneumoniaMNIST's training split
(../shared/data/medmnist/pneumoniamnist.npz beside the repository). Prints one JSON object.
"""
import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms as T


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


def images_per_second(kind, architecture, size, batch, steps, warmup, channels_last, mode="eager"):
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
    elif kind == "grad":  # an attack's inner step: eval mode, gradient of the loss to the input only
        model.eval()
        labels = torch.randint(0, 1000, (batch,))

        def step():
            x = images.clone().requires_grad_(True)
            torch.autograd.grad(F.cross_entropy(model(x), labels), [x])  # as torchattacks does
        seconds = median_seconds(steps, warmup, step)
    else:
        model.eval()
        if mode != "eager":
            from optimised_inference import optimise
            model = optimise(model, images, mode)
        with torch.no_grad():
            seconds = median_seconds(steps, warmup, lambda: model(images))
    return batch / seconds


class GrayToRGB:
    """Repeats a 1×H×W tensor into 3×H×W (Scalpel's GrayToRGB)."""

    def __call__(self, image):
        return image.repeat(3, 1, 1)


class NpzSplit(torch.utils.data.Dataset):
    """One split of a MedMNIST .npz: uint8 H×W images scaled to [0, 1] floats, 1×H×W, then `transform`."""

    def __init__(self, path, split, transform):
        with np.load(path) as npz:
            self.images = npz[f"{split}_images"]
            self.labels = npz[f"{split}_labels"].reshape(-1).astype(np.int64)
        self.transform = transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = torch.from_numpy(self.images[index]).to(torch.float32).div_(255).unsqueeze(0)
        return self.transform(image), self.labels[index]


def loader_images_per_second(size, batch, steps, warmup, workers, prefetch):
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "medmnist" / "pneumoniamnist.npz"
    if not path.exists():
        sys.exit(f"pytorch_bench.py: the loader benchmark needs PneumoniaMNIST at {path} (../shared beside the repository)")
    transform = T.Compose([GrayToRGB(), T.Resize(size), T.RandomResizedCrop(size), T.RandomHorizontalFlip(),
                           T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    loader = torch.utils.data.DataLoader(NpzSplit(path, "train", transform), batch_size=batch, shuffle=True,
                                         drop_last=True, num_workers=workers,
                                         prefetch_factor=max(1, prefetch // max(workers, 1)))
    batches = iter(loader)
    for _ in range(warmup):
        next(batches)
    start = time.perf_counter()
    images = 0
    for _ in range(steps):
        images += len(next(batches)[1])
    seconds = time.perf_counter() - start
    del batches
    return images / seconds


def probe_images_per_second(architecture, size, batch, steps, channels_last):
    """A plain PyTorch linear-probe epoch: frozen backbone in eval mode recomputed every step (under
    no_grad), a new linear head trained with Adam; `steps` batches of random grey images at `size`
    (no loading cost, unlike Scalpel's side, which also runs its loader)."""
    torch.manual_seed(0)
    model = build(architecture, 2)
    stem = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    stem.weight = torch.nn.Parameter(stem.weight.sum(dim=1, keepdim=True))  # grey input, as Scalpel adapts it
    stem.in_channels = 1
    head = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
    for p in model.parameters():
        p.requires_grad_(False)
    for p in head.parameters():
        p.requires_grad_(True)
    model.eval()
    images = [torch.rand(batch, 1, size, size) for _ in range(steps)]
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = [x.contiguous(memory_format=torch.channels_last) for x in images]
    labels = torch.randint(0, 2, (batch,))
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
    for x in images[:1]:  # warm-up
        F.cross_entropy(model(x), labels).backward()
    start = time.perf_counter()
    for x in images:
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), labels).backward()
        optimizer.step()
    return batch * steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layout", choices=["contiguous", "channels-last"], default="contiguous")
    parser.add_argument("--mode", choices=["eager", "jit", "compile"], default="eager",
                        help="infer/latency cases: eager, or PyTorch's optimised inference (optimised_inference.py)")
    parser.add_argument("--workers", type=int, default=2, help="loader cases: DataLoader num_workers")
    parser.add_argument("--prefetch", type=int, default=4, help="loader cases: batches prefetched in all")
    args = parser.parse_args()
    parts = args.case.split("-")
    kind, architecture, size, batch = parts[0], "-".join(parts[1:-2]), int(parts[-2]), int(parts[-1][1:])
    if kind not in ("train", "infer", "latency", "grad", "loader", "probe", "recompute", "similarity", "index", "gradcam", "bf16train", "bf16infer", "dp2"):
        parser.error(f"unknown kind in case {args.case}")
    torch.set_num_threads(args.threads)
    if kind == "index":  # the run index: queries per second, plain sqlite3 (bench/index_bench.py)
        from index_bench import index_queries_per_second
        rate = index_queries_per_second(size, batch, args.steps, args.warmup)
    elif kind == "loader":
        if architecture != "medmnist":
            parser.error(f"loader cases know one data set, 'medmnist'; got {architecture}")
        rate = loader_images_per_second(size, batch, args.steps, args.warmup, args.workers, args.prefetch)
    elif kind == "similarity":  # datapoints per second; see bench/similarity_bench.py
        from similarity_bench import similarity_datapoints_per_second
        rate = similarity_datapoints_per_second(size, batch, args.steps, args.warmup)
    elif kind == "gradcam":  # pytorch-grad-cam, bench/gradcam_bench.py
        from gradcam_bench import gradcam_images_per_second
        rate = gradcam_images_per_second(build, median_seconds, architecture, size, batch, args.steps, args.warmup,
                                         args.layout == "channels-last")
    elif kind == "dp2":
        from dataparallel_bench import ddp_images_per_second
        rate = ddp_images_per_second(architecture, size, batch, args.steps, args.warmup, args.threads,
                                     args.layout == "channels-last")
    elif kind == "bf16train":
        from precision_bench import bf16_train_images_per_second
        rate = bf16_train_images_per_second(build, median_seconds, architecture, size, batch, args.steps, args.warmup,
                                            args.layout == "channels-last")
    elif kind == "bf16infer":
        from precision_bench import bf16_infer_images_per_second
        rate = bf16_infer_images_per_second(build, median_seconds, architecture, size, batch, args.steps, args.warmup,
                                            args.layout == "channels-last")
    elif kind in ("probe", "recompute"):
        rate = probe_images_per_second(architecture, size, batch, args.steps, args.layout == "channels-last")
    else:
        rate = images_per_second(kind, architecture, size, batch, args.steps, args.warmup, args.layout == "channels-last",
                                 args.mode)
    print(json.dumps({"images_per_second": rate, "layout": args.layout, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "mode": args.mode,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
