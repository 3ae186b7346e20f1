// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// ζ → ξ: the radius of the perturbation ball as a fraction ζ of the mean norm of reference images
/// (the model's training images), ξ = ζ · mean ‖x‖_p.
///
/// Convention: norms are taken on pixels in [0, 1] (before normalisation) over the *whole* image, all
/// channels together, as Natural_UAP's `np.linalg.norm(img)` (MedicalAI-UAP takes channel 0 only, which
/// is √3 smaller for an RGB image with equal channels). ζ is unit-free: the same ζ gives the same
/// ‖v‖/‖x‖ ratio as the papers' ξ = ζ · mean‖x_raw‖ / 128 on their [−1, 1] scale.
public struct PerturbationBudget: Sendable, Equatable, Codable {
    public var norm: PerturbationNorm
    public private(set) var imageCount = 0
    private var normSum = 0.0

    public init(norm: PerturbationNorm) { self.norm = norm }

    /// Adds reference images `[N, C, H, W]` in [0, 1].
    public mutating func add(_ images: Tensor) throws {
        let norms = try norm.norms(images)
        normSum += norms.reduce(0, +)
        imageCount += norms.count
    }

    /// mean ‖x‖_p over the images added.
    public var meanNorm: Double {
        get throws {
            guard imageCount > 0 else { throw AttackError("no reference images to measure ζ against") }
            return normSum / Double(imageCount)
        }
    }

    /// ξ = ζ · mean ‖x‖_p. ζ must be in (0, 1] (4 % is 0.04).
    public func radius(zeta: Double) throws -> Double {
        try Self.checkZeta(zeta)
        return zeta * (try meanNorm)
    }

    /// Rejects ζ ≤ 0, non-finite, or above 1 (a perturbation as large as the images themselves).
    public static func checkZeta(_ zeta: Double) throws {
        guard zeta.isFinite, zeta > 0, zeta <= 1 else {
            throw AttackError("--zeta must be a fraction in (0, 1] of the mean image norm (e.g. 0.04 for 4 %), got \(zeta)")
        }
    }
}
