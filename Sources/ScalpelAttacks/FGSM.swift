// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// The fast gradient sign method (Goodfellow et al. 2015) as torchattacks 3.5.1's `FGSM`:
/// `x' = clip(x + ε · sign(∇ₓ L), 0, 1)` with `L` the mean cross-entropy over the batch (negated for a
/// targeted goal). ε is in [0, 1] pixel units (torchattacks' default 8/255).
public struct FGSM: Sendable {
    public var epsilon: Double

    public init(epsilon: Double = 8.0 / 255.0) throws {
        guard epsilon > 0, epsilon <= 1 else { throw AttackError("FGSM epsilon must be in (0, 1] (pixel units), got \(epsilon)") }
        self.epsilon = epsilon
    }

    /// Adversarial images `[N, C, H, W]` in [0, 1].
    public func callAsFunction(_ classifier: PixelClassifier, images: Tensor, goal: AttackGoal) throws -> Tensor {
        let gradient = try classifier.lossGradient(images, labels: goal.classes) * goal.direction
        return try withNoGrad {
            try (images + gradient.sign() * epsilon).clamped(min: 0, max: 1)
        }
    }
}
