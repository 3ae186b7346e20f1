// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Projected gradient descent (Madry et al. 2018) as torchattacks 3.5.1's `PGD` (L∞) and `PGDL2` (L2).
///
/// Each step: L∞ `x ← x + α · sign(∇)`, L2 `x ← x + α · ∇ / (‖∇‖₂ + 1e-10)` per image; then the
/// change from the clean image is projected on the ε-ball (L∞ clamp, L2 rescale by
/// `min(1, ε / ‖δ‖₂)`) and the image clipped to [0, 1]. ε and α are in [0, 1] pixel units.
public struct PGD: Sendable {
    /// Where the iteration starts.
    public enum Start: @unchecked Sendable {
        /// At the clean image.
        case clean
        /// torchattacks' random start: L∞ uniform in [−ε, ε] per pixel; L2 a Gaussian direction scaled
        /// to a radius drawn uniformly in [0, ε] (uniform in the radius, not in the ball).
        case random(Generator)
        /// At `x + δ₀` (then clipped), with the given `δ₀` `[N, C, H, W]` — to replay a start drawn elsewhere.
        case given(Tensor)
    }

    public var norm: PerturbationNorm
    public var epsilon: Double
    public var stepSize: Double
    public var steps: Int

    /// torchattacks' defaults: L∞ ε 8/255, α 2/255, 10 steps; L2 ε 1.0, α 0.2, 10 steps.
    public init(norm: PerturbationNorm, epsilon: Double? = nil, stepSize: Double? = nil, steps: Int = 10) throws {
        self.norm = norm
        self.epsilon = epsilon ?? (norm == .linf ? 8.0 / 255.0 : 1.0)
        self.stepSize = stepSize ?? (norm == .linf ? 2.0 / 255.0 : 0.2)
        self.steps = steps
        guard self.epsilon > 0, self.epsilon.isFinite, self.stepSize > 0, self.stepSize.isFinite else {
            throw AttackError("PGD epsilon and step size must be positive (pixel units), got \(self.epsilon), \(self.stepSize)")
        }
        guard (1...10_000).contains(steps) else { throw AttackError("PGD steps must be in 1...10000, got \(steps)") }
    }

    /// The random start δ₀ `[N, C, H, W]` that torchattacks draws for images of `shape`.
    public func randomStart(shape: [Int], generator: Generator) throws -> Tensor {
        switch norm {
        case .linf:
            return try Tensor.rand(shape, generator: generator) * (2 * epsilon) - epsilon
        case .l2:
            let direction = try Tensor.randn(shape, generator: generator)
            let count = shape[0]
            let lengths = try direction.reshaped(to: [count, -1]).norm(p: 2, axes: [1])
            let radii = try Tensor.rand([count], generator: generator)
            let scale = try (radii / lengths * epsilon).reshaped(to: [count] + Array(repeating: 1, count: shape.count - 1))
            return try direction * scale
        }
    }

    /// Adversarial images `[N, C, H, W]` in [0, 1].
    public func callAsFunction(_ classifier: PixelClassifier, images: Tensor, goal: AttackGoal,
                               start: Start = .clean) throws -> Tensor {
        var adversarial: Tensor
        switch start {
        case .clean:
            adversarial = images
        case .random(let generator):
            adversarial = try (images + randomStart(shape: images.shape, generator: generator)).clamped(min: 0, max: 1)
        case .given(let delta):
            guard delta.shape == images.shape else {
                throw AttackError("PGD start has shape \(delta.shape) but the images are \(images.shape)")
            }
            adversarial = try (images + delta).clamped(min: 0, max: 1)
        }
        let count = images.shape[0]
        let broadcast = [count] + Array(repeating: 1, count: images.rank - 1)
        for _ in 0..<steps {
            let gradient = try classifier.lossGradient(adversarial, labels: goal.classes) * goal.direction
            adversarial = try withNoGrad {
                let stepped: Tensor
                switch norm {
                case .linf:
                    stepped = try adversarial + gradient.sign() * stepSize
                case .l2:
                    let lengths = try gradient.reshaped(to: [count, -1]).norm(p: 2, axes: [1]) + 1e-10
                    stepped = try adversarial + gradient / lengths.reshaped(to: broadcast) * stepSize
                }
                let delta: Tensor
                switch norm {
                case .linf:
                    delta = try (stepped - images).clamped(min: -epsilon, max: epsilon)
                case .l2:
                    let raw = try stepped - images
                    let lengths = try raw.reshaped(to: [count, -1]).norm(p: 2, axes: [1])
                    let factor = try (epsilon / lengths).clamped(max: 1)
                    delta = try raw * factor.reshaped(to: broadcast)
                }
                return try (images + delta).clamped(min: 0, max: 1)
            }
        }
        return adversarial
    }
}
