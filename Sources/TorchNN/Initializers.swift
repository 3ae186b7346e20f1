// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Weight initialisation as in `torch.nn.init`, drawn from an optional ``Generator``.
///
/// With a generator seeded `s`, the values equal PyTorch's on the CPU after `torch.manual_seed(s)`,
/// because both use the same Mersenne Twister and the same bounds.
public enum Initialization {
    /// Which fan scales the variance (`mode=` in `kaiming_*_`).
    public enum FanMode: Sendable {
        /// Preserves the variance of activations in the forward pass.
        case fanIn
        /// Preserves the variance of gradients in the backward pass (torchvision's ResNet convolutions).
        case fanOut
    }

    /// The nonlinearity that follows the layer, for the gain (`torch.nn.init.calculate_gain`).
    public enum Nonlinearity: Sendable {
        /// Linear, convolution, sigmoid: gain 1.
        case linear
        /// Gain √2.
        case relu
        /// Gain √(2 / (1 + slope²)); PyTorch's default layers use slope √5.
        case leakyReLU(slope: Double)

        public var gain: Double {
            switch self {
            case .linear: 1
            case .relu: 2.0.squareRoot()
            case .leakyReLU(let slope): (2.0 / (1 + slope * slope)).squareRoot()
            }
        }
    }

    /// `(fan_in, fan_out)` of a weight `[out, in, kH, kW]` or `[out, in]`
    /// (`torch.nn.init._calculate_fan_in_and_fan_out`).
    ///
    /// - Throws: ``TorchError`` for tensors of rank below 2.
    public static func fans(of tensor: Tensor) throws -> (fanIn: Int, fanOut: Int) {
        let shape = tensor.shape
        guard shape.count >= 2 else {
            throw TorchError(kind: .invalidValue,
                             message: "fan in and fan out need a tensor of rank 2 or more, got shape \(shape)",
                             operation: "Initialization.fans(of:)")
        }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// Fills `tensor` with U(−bound, bound), bound = gain · √(3 / fan) (`kaiming_uniform_`).
    public static func kaimingUniform(_ tensor: Tensor, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyReLU(slope: 0),
                                      generator: Generator? = nil) throws {
        let std = try nonlinearity.gain / Double(fan(of: tensor, mode)).squareRoot()
        let bound = 3.0.squareRoot() * std
        try tensor.uniformInPlace(low: -bound, high: bound, generator: generator)
    }

    /// Fills `tensor` with N(0, std²), std = gain / √fan (`kaiming_normal_`).
    public static func kaimingNormal(_ tensor: Tensor, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity = .leakyReLU(slope: 0),
                                     generator: Generator? = nil) throws {
        let std = try nonlinearity.gain / Double(fan(of: tensor, mode)).squareRoot()
        try tensor.normalInPlace(mean: 0, std: std, generator: generator)
    }

    /// PyTorch's default for `nn.Conv2d` and `nn.Linear` (`reset_parameters`): the weight from
    /// `kaiming_uniform_(a=√5)`, i.e. U(−1/√fan_in, 1/√fan_in), then the bias from the same range.
    public static func defaultLayerInitialization(weight: Tensor, bias: Tensor?, generator: Generator?) throws {
        try kaimingUniform(weight, nonlinearity: .leakyReLU(slope: 5.0.squareRoot()), generator: generator)
        if let bias {
            let fanIn = try fans(of: weight).fanIn
            let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
            try bias.uniformInPlace(low: -bound, high: bound, generator: generator)
        }
    }

    /// A trainable weight of `shape` and, if asked, a trainable bias `[shape[0]]`, initialised with
    /// ``defaultLayerInitialization(weight:bias:generator:)`` (what `nn.Conv2d` and `nn.Linear` do).
    public static func makeDefaultWeightAndBias(shape: [Int], bias hasBias: Bool,
                                                generator: Generator?) throws -> (weight: Tensor, bias: Tensor?) {
        let weight = try Tensor.empty(shape)
        let bias = try hasBias ? Tensor.empty([shape[0]]) : nil
        try defaultLayerInitialization(weight: weight, bias: bias, generator: generator)
        try weight.setRequiresGradient(true)
        try bias?.setRequiresGradient(true)
        return (weight, bias)
    }

    private static func fan(of tensor: Tensor, _ mode: FanMode) throws -> Int {
        let (fanIn, fanOut) = try fans(of: tensor)
        let fan = mode == .fanIn ? fanIn : fanOut
        guard fan > 0 else {
            throw TorchError(kind: .invalidValue, message: "cannot initialise a tensor of shape \(tensor.shape): its fan is 0",
                             operation: "Initialization.kaiming")
        }
        return fan
    }
}
