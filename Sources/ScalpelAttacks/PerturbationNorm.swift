// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// The norm that bounds a perturbation: ‖v‖₂ over every pixel of every channel, or ‖v‖∞.
public enum PerturbationNorm: String, Sendable, CaseIterable, Codable {
    case l2
    case linf

    /// ‖x‖ of each image of `[N, …]`, as doubles (the whole image: all channels, as Natural_UAP's
    /// `np.linalg.norm(img)`).
    public func norms(_ images: Tensor) throws -> [Double] {
        let flat = try images.flattened(from: 1).to(dtype: .float64)
        let values: Tensor
        switch self {
        case .l2: values = try flat.norm(p: 2, axes: [1])
        case .linf: values = try flat.abs().max(axes: [1])
        }
        return try values.hostArray(of: Double.self)
    }

    /// ‖v‖ of one perturbation (any shape).
    public func norm(_ perturbation: Tensor) throws -> Double {
        try norms(perturbation.reshaped(to: [1, -1]))[0]
    }

    /// The projection onto the ball of radius `radius` that ART's `art.utils.projection` computes, for
    /// each image of `[N, …]` separately: L2 rescales by `min(1, radius / ‖v‖₂)` (a zero vector stays
    /// zero), L∞ clamps every value to [−radius, radius].
    public func project(_ perturbation: Tensor, radius: Double) throws -> Tensor {
        guard radius >= 0, radius.isFinite else { throw AttackError("projection radius must be finite and ≥ 0, got \(radius)") }
        switch self {
        case .linf:
            return try perturbation.clamped(min: -radius, max: radius)
        case .l2:
            let count = perturbation.shape.first ?? 1
            let flat = try perturbation.reshaped(to: [count, -1])
            let norms = try flat.norm(p: 2, axes: [1], keepDimensions: true)
            // min(1, r / ‖v‖) where ‖v‖ > 0, else 0 (the vector is zero anyway).
            let factor = try Tensor.where(try norms.gt(0), try (radius / norms.clamped(min: 1e-30)).clamped(max: 1),
                                          try norms.zerosLike())
            return try (flat * factor).reshaped(to: perturbation.shape)
        }
    }
}
