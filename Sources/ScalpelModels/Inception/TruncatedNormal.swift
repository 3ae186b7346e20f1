// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// `torch.nn.init.trunc_normal_(tensor, mean, std, a, b, generator)` as PyTorch 2.15 draws it when
/// [a, b] holds more than 30 % of the normal's mass: sample N(mean, std²), then re-draw a whole fresh
/// tensor and take its values wherever one falls outside [a, b], until none does. The draws come from
/// the same generator in the same order, so with the same seed the values equal PyTorch's.
///
/// Narrower intervals (PyTorch's uniform-proposal rejection sampler) are not needed by any backbone
/// here and throw.
enum TruncatedNormal {
    static func fill(_ tensor: Tensor, mean: Double = 0, std: Double, a: Double = -2, b: Double = 2,
                     generator: Generator?) throws {
        func cdf(_ x: Double) -> Double { (1 + Foundation.erf(x / 2.0.squareRoot())) / 2 }
        guard cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3 else {
            throw ArchitectureError("truncated normal on [\(a), \(b)] with mean \(mean), std \(std) keeps too little mass")
        }
        try withNoGrad {
            try tensor.normalInPlace(mean: mean, std: std, generator: generator)
            var result = tensor
            while true {
                let outside = try result.lt(a).logicalOr(result.gt(b))
                guard try outside.any().item() != 0 else { break }
                let fresh = try Tensor.empty(tensor.shape, dtype: tensor.dtype, on: tensor.device)
                try fresh.normalInPlace(mean: mean, std: std, generator: generator)
                result = try Tensor.where(outside, fresh, result)
            }
            if result !== tensor { try tensor.copyInPlace(from: result) }
        }
    }
}
