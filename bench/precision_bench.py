"""bf16train and bf16infer cases of bench/run, under PyTorch's CPU autocast to bfloat16 — the same work
as Sources/scalpel-bench/Precision.swift: a training step (forward under autocast, float32
cross-entropy, backward, Adam on float32 weights), and an eval-mode forward without gradients."""
import torch
import torch.nn.functional as F


def bf16_train_images_per_second(build, median_seconds, architecture, size, batch, steps, warmup, channels_last):
    torch.manual_seed(0)
    model = build(architecture, 10)
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    model.train()
    labels = torch.randint(0, 10, (batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(images)
        F.cross_entropy(logits.float(), labels).backward()
        optimizer.step()
    return batch / median_seconds(steps, warmup, step)


def bf16_infer_images_per_second(build, median_seconds, architecture, size, batch, steps, warmup, channels_last):
    torch.manual_seed(0)
    model = build(architecture, 1000)
    images = torch.randn(batch, 3, size, size)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    model.eval()

    def step():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            model(images).float()
    return batch / median_seconds(steps, warmup, step)
