// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// torchvision's `SqueezeExcitation` ("Squeeze-and-Excitation Networks", Hu et al. 2017
/// <https://arxiv.org/abs/1709.01507>): each channel of `[N, C, H, W]` is scaled by
/// `scale(fc2(activation(fc1(avgpool(x)))))`, a `[N, C, 1, 1]` gate.
///
/// Keys: `fc1.weight` `[squeeze, C, 1, 1]`, `fc1.bias`, `fc2.weight` `[C, squeeze, 1, 1]`, `fc2.bias`.
/// EfficientNet uses SiLU and a sigmoid gate; MobileNetV3 ReLU and a hard sigmoid.
final class SqueezeExcitation: Layer {
    /// torchvision's `avgpool` module (no keys): the squeeze.
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    let fc1: Conv2d, fc2: Conv2d
    let activation: any Layer
    let scaleActivation: any Layer

    init(channels: Int, squeezeChannels: Int, activation: MobileActivation, hardSigmoidGate: Bool,
         generator: Generator?) throws {
        fc1 = try mobileConvolution(channels, squeezeChannels, kernel: 1, bias: true, generator: generator)
        fc2 = try mobileConvolution(squeezeChannels, channels, kernel: 1, bias: true, generator: generator)
        self.activation = activation.makeLayer()
        scaleActivation = hardSigmoidGate ? Hardsigmoid() : Sigmoid()
    }

    var namedChildren: [(String, any Module)] {
        [("avgpool", avgpool), ("fc1", fc1), ("fc2", fc2), ("activation", activation),
         ("scale_activation", scaleActivation)]
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let scale = try scaleActivation(fc2(activation(fc1(avgpool(input)))))
        return try scale * input
    }
}

/// torchvision's `StochasticDepth` in `"row"` mode ("Deep Networks with Stochastic Depth", Huang et al.
/// 2016 <https://arxiv.org/abs/1603.09382>): while training, each sample's residual branch is dropped
/// with probability ``probability`` and the survivors are scaled by 1 / (1 − probability); the
/// identity in evaluation mode or when the probability is 0.
///
/// The mask is `[N, 1, …, 1]`, drawn with `bernoulli_` on libtorch's default generator, as
/// `torch.empty(size).bernoulli_(survival)` draws it, so seeded runs match PyTorch's. No keys.
public final class StochasticDepth: Layer, ModeDependent {
    public let probability: Double
    public var mode: ModuleMode = .training

    public init(probability: Double) {
        precondition(probability >= 0 && probability <= 1, "StochasticDepth probability must be in [0, 1]")
        self.probability = probability
    }

    /// - Parameter input: `[N, …]`, any dtype and device.
    /// - Returns: the input with whole samples zeroed or rescaled; same shape, dtype and device.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard mode == .training, probability > 0 else { return input }
        let survival = 1 - probability
        let shape = [input.shape[0]] + Array(repeating: 1, count: input.rank - 1)
        var noise = try Tensor.empty(shape, dtype: input.dtype, on: input.device).bernoulli(probability: survival)
        if survival > 0 { noise = try noise / survival }
        return try input * noise
    }
}
