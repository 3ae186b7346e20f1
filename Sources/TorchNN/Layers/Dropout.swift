// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Zeroes each element with probability ``probability`` while training and scales the survivors by
/// 1 / (1 − probability); the identity in evaluation mode.
///
/// Equivalent to `torch.nn.Dropout`. No state-dict keys, but it still takes a place in a
/// ``Sequential``'s numbering (torchvision's EfficientNet head is `classifier.0` = Dropout,
/// `classifier.1` = Linear).
///
/// ```swift
/// let dropout = Dropout(probability: 0.2, generator: try Generator(seed: 7))   // reproducible masks
/// ```
public final class Dropout: Layer, ModeDependent {
    public let probability: Double
    /// Draws the masks; libtorch's default generator when nil.
    public let generator: Generator?
    public var mode: ModuleMode = .training

    public init(probability: Double = 0.5, generator: Generator? = nil) {
        precondition(probability >= 0 && probability <= 1, "Dropout probability must be in [0, 1], got \(probability)")
        self.probability = probability
        self.generator = generator
    }

    /// - Parameter input: any shape.
    /// - Returns: same shape, dtype and device; the input itself in evaluation mode.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard mode == .training else { return notifyingObserver(input: input, output: input) }
        return notifyingObserver(
            input: input, output: try input.dropout(probability: probability, training: true, generator: generator))
    }
}
