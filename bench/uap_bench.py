"""ART's side of the `uap-ARCH-SIZE-bN` bench case (Sources/scalpel-bench/UAP.swift is Scalpel's):
one pass of ART 1.20.1's UniversalPerturbation (attacker fgsm, L2, eps 1, FGSM step 1e-7 so every
image costs the same work) over N random images on a randomly initialised torchvision ARCH in eval
mode, with ImageNet normalisation inside the model and clip values (0, 1).

    .deps/python/bin/python bench/uap_bench.py uap-resnet18-28-b64 --threads 2 --steps 1
Prints {"images_per_second": …} (source images visited per second, best of --steps rounds).
"""
import argparse
import json
import logging
import random
import time

import numpy as np
import torch
import torchvision
from torch import nn


class PixelModel(nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, x):
        return self.network((x - self.mean) / self.std)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layout", default="contiguous")  # accepted for bench/run; the attack is contiguous
    args = parser.parse_args()
    parts = args.case.split("-")
    architecture, size, count = "-".join(parts[1:-2]), int(parts[-2]), int(parts[-1][1:])
    torch.set_num_threads(args.threads)
    logging.disable(logging.INFO)
    from art.attacks.evasion import UniversalPerturbation
    from art.estimators.classification import PyTorchClassifier

    torch.manual_seed(0)
    model = PixelModel(getattr(torchvision.models, architecture)(num_classes=10)).eval()
    classifier = PyTorchClassifier(model=model, loss=nn.CrossEntropyLoss(), input_shape=(3, size, size), nb_classes=10,
                                   clip_values=(0.0, 1.0))
    images = torch.rand(count, 3, size, size, generator=torch.Generator().manual_seed(1)).numpy()
    best = float("inf")
    for _ in range(max(1, args.steps)):
        random.seed(0)
        attack = UniversalPerturbation(classifier, attacker="fgsm", attacker_params={"eps": 1e-7}, delta=0.0, max_iter=1,
                                       eps=1.0, norm=2, batch_size=32, verbose=False)
        start = time.perf_counter()
        attack.generate(images)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"images_per_second": count / best, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
