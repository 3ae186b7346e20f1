// Scalpel — benchmark: `bf16train-…` (a training step) and `bf16infer-…` (an eval-mode forward) under bf16 autocast.
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN
import TorchOptim

/// Images per second of a training step (forward under CPU bf16 autocast, float32 loss, backward,
/// Adam on float32 weights) — the same work as `train-…` cases, in mixed precision; PyTorch's side is
/// `torch.autocast("cpu", dtype=torch.bfloat16)` (bench/precision_bench.py).
func bf16TrainImagesPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    let model = try c.architecture().makeModel(classCount: 10)
    var images = try Tensor.randn([c.batch, 3, c.size, c.size])
    if options.channelsLast {
        try model.setMemoryFormat(.channelsLast)
        images = try images.channelsLast()
    }
    model.setMode(.training)
    let labels = try Tensor.randint(high: 10, shape: [c.batch])
    let optimizer = try Adam([ParameterGroup(parameters: model.parameters())], learningRate: 1e-3)
    let seconds = try medianSeconds(steps: options.steps, warmup: options.warmup) {
        try optimizer.zeroGradients()
        let logits = try withAutocast(.bf16, device: .cpu) { try model(images) }
        try crossEntropy(logits: logits.to(dtype: .float32), targets: labels).backward()
        try optimizer.step()
    }
    return Double(c.batch) / seconds
}

/// Images per second of an eval-mode forward pass without gradients under CPU bf16 autocast — what
/// `scalpel evaluate/predict --precision bf16` run; PyTorch's side is the same model in eval mode under
/// `torch.no_grad()` and `torch.autocast("cpu", dtype=torch.bfloat16)` (bench/precision_bench.py).
func bf16InferenceImagesPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    let model = try c.architecture().makeModel(classCount: 1000)
    var images = try Tensor.randn([c.batch, 3, c.size, c.size])
    if options.channelsLast {
        try model.setMemoryFormat(.channelsLast)
        images = try images.channelsLast()
    }
    model.setMode(.evaluation)
    let seconds = try withNoGrad {
        try medianSeconds(steps: options.steps, warmup: options.warmup) {
            _ = try withAutocast(.bf16, device: .cpu) { try model(images) }.to(dtype: .float32)
        }
    }
    return Double(c.batch) / seconds
}
