"""ART's side of the `uap-ARCH-SIZE-bN` and `uapbatch-ARCH-SIZE-bN` bench cases (Sources/scalpel-bench/UAP.swift
is Scalpel's): one pass of ART 1.20.1's UniversalPerturbation (attacker fgsm, FGSM step 0.01, L2 radius 1,
clip values (0, 1)) over N random images on a torchvision ARCH (10 classes) in eval mode, ImageNet normalisation
inside the model — a model the UAP actually fools (about half the images with resnet18 at 28 px): its weights
are torchvision's seeded random initialisation with the BatchNorm statistics calibrated on the images, so its
predictions spread over the classes, and real FGSM steps are taken and accepted.

Both sides do identical work: the first run writes the model's weights, the images and ART's visiting order to
.build/bench-inputs/uap-ARCH-SIZE-bN.safetensors (atomically), and both sides read that file (bench/run runs
this side first in every round). For uapbatch the work here is the same sequential pass; Scalpel's side runs the
batched variant until it reaches this pass's fooling rate (time to the same fooling rate).

    .deps/python/bin/python bench/uap_bench.py uap-resnet18-28-b64 --threads 2 --steps 1
Prints {"images_per_second": …} (source images visited per second, best of --steps rounds).
"""
import argparse
import json
import logging
import os
import random
import sys
import time

import numpy as np
import torch
import torchvision
from safetensors.torch import load_file, save_file
from torch import nn

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
RADIUS, FGSM_STEP, CLASSES = 1.0, 0.01, 10


class PixelModel(nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1))

    def forward(self, x):
        return self.network((x - self.mean) / self.std)


def inputs(architecture, size, count):
    """The shared inputs: network weights (`network.*`), images [N, 3, S, S] in [0, 1], ART's visiting order."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "bench-inputs")
    path = os.path.join(root, f"uap-{architecture}-{size}-b{count}.safetensors")
    if not os.path.exists(path):
        torch.manual_seed(0)
        network = getattr(torchvision.models, architecture)(num_classes=CLASSES)
        images = torch.rand(count, 3, size, size, generator=torch.Generator().manual_seed(1))
        for module in network.modules():  # BatchNorm statistics of these images: a cumulative average over one batch
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
                module.momentum = None
        network.train()
        with torch.no_grad():
            PixelModel(network)(images)
        random.seed(0)  # ART's generate draws its visiting order with random.sample
        order = torch.tensor(random.sample(range(count), count), dtype=torch.int64)
        tensors = {"network." + k: v.contiguous() for k, v in network.state_dict().items()}
        tensors.update(images=images.contiguous(), order=order)
        os.makedirs(root, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        save_file(tensors, temporary)
        os.replace(temporary, path)
    tensors = load_file(path)
    network = getattr(torchvision.models, architecture)(num_classes=CLASSES)
    network.load_state_dict({k[len("network."):]: v for k, v in tensors.items() if k.startswith("network.")})
    return network.eval(), tensors["images"], tensors["order"].tolist()


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

    network, images, order = inputs(architecture, size, count)
    classifier = PyTorchClassifier(model=PixelModel(network).eval(), loss=nn.CrossEntropyLoss(), input_shape=(3, size, size),
                                   nb_classes=CLASSES, clip_values=(0.0, 1.0))
    images = images.numpy()
    best = float("inf")
    for _ in range(max(1, args.steps)):
        random.seed(0)
        attack = UniversalPerturbation(classifier, attacker="fgsm", attacker_params={"eps": FGSM_STEP}, delta=0.0, max_iter=1,
                                       eps=RADIUS, norm=2, batch_size=32, verbose=False)
        start = time.perf_counter()
        attack.generate(images)
        best = min(best, time.perf_counter() - start)
        print(f"  art: fooling rate {attack.fooling_rate:.4f}, ‖v‖₂ {np.linalg.norm(attack.noise):.4f}", file=sys.stderr)
    print(json.dumps({"images_per_second": count / best, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
