// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

// Element-wise activations as modules, for use inside a `Sequential`. None has state-dict keys, and
// each returns a tensor of its input's shape, dtype and device.

/// max(x, 0). Equivalent to `torch.nn.ReLU`.
public final class ReLU: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: try input.relu()) }
}

/// min(max(x, 0), 6). Equivalent to `torch.nn.ReLU6` (MobileNet).
public final class ReLU6: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: try input.relu6()) }
}

/// x · σ(x), also called swish. Equivalent to `torch.nn.SiLU` (EfficientNet).
public final class SiLU: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: try input.silu()) }
}

/// 1 / (1 + e⁻ˣ). Equivalent to `torch.nn.Sigmoid`.
public final class Sigmoid: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: try input.sigmoid()) }
}

/// x · ReLU6(x + 3) / 6. Equivalent to `torch.nn.Hardswish` (MobileNetV3).
public final class Hardswish: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: try input.hardswish()) }
}

/// ReLU6(x + 3) / 6. Equivalent to `torch.nn.Hardsigmoid` (MobileNetV3 squeeze-excitation).
public final class Hardsigmoid: Layer {
    public init() {}
    public func callAsFunction(_ input: Tensor) throws -> Tensor { notifyingObserver(input: input, output: try input.hardsigmoid()) }
}

/// x · Φ(x), with the exact erf form or the tanh approximation. Equivalent to
/// `torch.nn.GELU(approximate=...)`.
public final class GELU: Layer {
    /// PyTorch's `approximate` argument.
    public enum Approximation: Sendable {
        /// `approximate='none'`: x · ½(1 + erf(x / √2)).
        case none
        /// `approximate='tanh'`.
        case tanh
    }

    public let approximation: Approximation

    public init(approximation: Approximation = .none) {
        self.approximation = approximation
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        notifyingObserver(input: input, output: try input.gelu(approximateTanh: approximation == .tanh))
    }
}
