// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// libtorch's fused multi-tensor optimizer kernels (`torch._fused_adam_`, `_fused_adamw_`, `_fused_sgd_`):
/// one call updates every parameter of a group. TorchOptim builds its optimizers on these.
public enum OptimizerKernels {
    /// One Adam (or AdamW when `decoupledWeightDecay`) step. Each `steps` entry is a float32 scalar
    /// holding the step number after this update; the caller increments it first.
    public static func adamStep(parameters: [Tensor], gradients: [Tensor], firstMoments: [Tensor],
                                secondMoments: [Tensor], maxSecondMoments: [Tensor], steps: [Tensor],
                                learningRate: Double, beta1: Double, beta2: Double, weightDecay: Double,
                                eps: Double, amsgrad: Bool, maximize: Bool, decoupledWeightDecay: Bool) throws {
        let count = parameters.count
        guard [gradients.count, firstMoments.count, secondMoments.count, steps.count].allSatisfy({ $0 == count }),
              !amsgrad || maxSecondMoments.count == count
        else {
            throw TorchError(kind: .invalidValue, message: "optimizer state lists differ in length",
                             operation: "OptimizerKernels.adamStep")
        }
        try withHandles(parameters) { p in
            try withHandles(gradients) { g in
                try withHandles(firstMoments) { m in
                    try withHandles(secondMoments) { v in
                        try withHandles(maxSecondMoments) { vmax in
                            try withHandles(steps) { s in
                                try shimCall("OptimizerKernels.adamStep") {
                                    ctorch_fused_adam(p, g, m, v, vmax, s, count, learningRate, beta1, beta2,
                                                      weightDecay, eps, amsgrad, maximize, decoupledWeightDecay, $0)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One SGD step with optional momentum, dampening, Nesterov and weight decay. Momentum buffers are
    /// initialised from the gradient when `firstStep` (PyTorch's behaviour).
    public static func sgdStep(parameters: [Tensor], gradients: [Tensor], momentumBuffers: [Tensor],
                               learningRate: Double, momentum: Double, dampening: Double, weightDecay: Double,
                               nesterov: Bool, maximize: Bool, firstStep: Bool) throws {
        let count = parameters.count
        guard gradients.count == count, momentum == 0 || momentumBuffers.count == count else {
            throw TorchError(kind: .invalidValue, message: "optimizer state lists differ in length",
                             operation: "OptimizerKernels.sgdStep")
        }
        try withHandles(parameters) { p in
            try withHandles(gradients) { g in
                try withHandles(momentumBuffers) { b in
                    try shimCall("OptimizerKernels.sgdStep") {
                        ctorch_fused_sgd(p, g, b, count, weightDecay, momentum, learningRate, dampening, nesterov,
                                         maximize, firstStep, $0)
                    }
                }
            }
        }
    }
}
