// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// Random perturbations uniform in the same ball as a UAP: the control every UAP figure needs.
///
/// L∞: each value uniform in [−r, r] (ART's `random_sphere`). L2: a Gaussian direction scaled to a
/// radius r·U^{1/d}, U uniform in [0, 1], d the element count — the distribution of ART's
/// `random_sphere(…, norm=2)`, whose `gammainc(d/2, ‖g‖²/2)^{1/d}` is exactly U^{1/d} since
/// `gammainc(d/2, ‖g‖²/2)` of a standard Gaussian g is uniform. In high dimension the draw lies almost
/// on the sphere.
public enum RandomControl {
    /// One perturbation of `shape` uniform in the `norm`-ball of `radius` (float32).
    public static func sample(shape: [Int], radius: Double, norm: PerturbationNorm, generator: Generator) throws -> Tensor {
        guard radius > 0, radius.isFinite else { throw AttackError("random control radius must be positive, got \(radius)") }
        switch norm {
        case .linf:
            return try Tensor.rand(shape, generator: generator) * (2 * radius) - radius
        case .l2:
            let direction = try Tensor.randn(shape, generator: generator, dtype: .float64)
            let length = try direction.norm(p: 2).item()
            let uniform = try Tensor.rand([1], generator: generator, dtype: .float64).item()
            let dimension = Double(direction.elementCount)
            let scale = radius * Foundation.pow(uniform, 1 / dimension) / length
            return try (direction * scale).to(dtype: .float32)
        }
    }
}
