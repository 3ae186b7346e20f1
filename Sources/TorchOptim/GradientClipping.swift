// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Scales the gradients of `parameters` in place so that their global 2-norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`: factor `maxNorm / (norm + 1e-6)`, applied only when below 1).
/// Parameters without a gradient are ignored.
///
/// - Returns: the global norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) throws -> Double {
    guard maxNorm > 0 else {
        throw TorchError(kind: .invalidValue, message: "maxNorm must be positive, got \(maxNorm)",
                         operation: "clipGradientNorm(_:maxNorm:)")
    }
    let gradients = try parameters.compactMap { try $0.gradient() }
    guard !gradients.isEmpty else { return 0 }
    var squares: Tensor?
    for gradient in gradients {
        let sum = try gradient.to(dtype: .float32).square().sum()
        squares = try squares.map { try $0 + sum } ?? sum
    }
    let norm = try squares!.sqrt().item()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for gradient in gradients { try gradient.multiplyInPlace(by: factor) }
    }
    return norm
}
