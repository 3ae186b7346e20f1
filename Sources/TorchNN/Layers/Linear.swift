// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Applies `x · weightᵀ + bias` over the last axis.
///
/// Equivalent to `torch.nn.Linear`. State-dict keys: `weight` (`[outputFeatures, inputFeatures]`) and,
/// if ``hasBias``, `bias` (`[outputFeatures]`). Initialised as PyTorch does: the weight from
/// `kaiming_uniform_(a=√5)`, the bias from U(−1/√inputFeatures, 1/√inputFeatures).
///
/// ```swift
/// let head = try Linear(inputFeatures: 512, outputFeatures: 3)
/// let logits = try head(features)   // [N, 512] -> [N, 3]
/// ```
public final class Linear: Layer {
    public let inputFeatures: Int
    public let outputFeatures: Int
    /// `float32` `[outputFeatures, inputFeatures]`, requiring gradients.
    public let weight: Tensor
    /// `float32` `[outputFeatures]`, or nil when built with `bias: false`.
    public let bias: Tensor?

    /// - Parameter generator: draws the initial values; libtorch's default generator when nil.
    /// - Throws: ``TorchError`` if the tensors cannot be created.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, generator: Generator? = nil) throws {
        precondition(inputFeatures > 0 && outputFeatures > 0, "Linear feature counts must be positive")
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        (weight, self.bias) = try Initialization.makeDefaultWeightAndBias(
            shape: [outputFeatures, inputFeatures], bias: bias, generator: generator)
    }

    public var hasBias: Bool { bias != nil }

    public var namedParameters: [(String, Tensor)] {
        if let bias { return [("weight", weight), ("bias", bias)] }
        return [("weight", weight)]
    }

    /// - Parameter input: `[…, inputFeatures]`, same dtype and device as the weight.
    /// - Returns: `[…, outputFeatures]`.
    /// - Throws: ``TorchError`` if the last axis, dtype or device does not match.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        notifyingObserver(input: input, output: try input.linear(weight: weight, bias: bias))
    }
}
