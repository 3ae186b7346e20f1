"""PyTorch's own optimised inference, the second anchor of bench/run's infer-* and latency-* cases.

`jit`: torch.jit.trace + torch.jit.freeze + torch.jit.optimize_for_inference (batch norm folded,
convolution + activation fused, weights prepacked for oneDNN); `compile`: torch.compile (inductor,
which needs a working C++ compiler on the machine; with freezing on, as its CPU inference mode).
"""
import torch


def optimise(model, images, mode):
    """`model` (in eval mode) prepared for `images` the way a user chasing inference speed would."""
    if mode == "jit":
        with torch.no_grad():
            traced = torch.jit.trace(model, images, check_trace=False)
            return torch.jit.optimize_for_inference(torch.jit.freeze(traced))
    if mode == "compile":
        import torch._inductor.config as inductor_config
        inductor_config.freezing = True
        return torch.compile(model)
    raise ValueError(f"unknown optimisation mode {mode}")
