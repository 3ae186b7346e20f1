// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// The inverted residual of the mobile family: expand (1×1), depthwise (k×k), optional
/// squeeze-excitation, project (1×1, linear), with a skip connection when stride is 1 and the channel
/// count is unchanged. One class for three torchvision modules that differ only in their layers and keys:
///
/// - EfficientNet's `MBConv`: body `block`, SiLU, SE with a sigmoid gate, stochastic depth on the branch.
/// - MobileNetV2's `InvertedResidual`: body `conv` (`conv.{0,1}` Conv2dNormActivation with ReLU6, then
///   `conv.{2,3}` a bare 1×1 convolution and batch norm), no SE.
/// - MobileNetV3's `InvertedResidual`: body `block`, ReLU or Hardswish, SE with a hard-sigmoid gate.
final class InvertedResidual: Layer {
    let bodyName: String
    let body: Sequential
    let usesResidual: Bool
    /// EfficientNet only (torchvision registers it as `stochastic_depth`, with no keys).
    let stochasticDepth: StochasticDepth?
    let outputChannels: Int
    let stride: Int

    init(bodyName: String, body: Sequential, usesResidual: Bool, stochasticDepth: StochasticDepth?,
         outputChannels: Int, stride: Int) {
        self.bodyName = bodyName
        self.body = body
        self.usesResidual = usesResidual
        self.stochasticDepth = stochasticDepth
        self.outputChannels = outputChannels
        self.stride = stride
    }

    var namedChildren: [(String, any Module)] {
        [(bodyName, body)] + (stochasticDepth.map { [("stochastic_depth", $0 as any Module)] } ?? [])
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        var result = try body(input)
        guard usesResidual else { return result }
        if let stochasticDepth { result = try stochasticDepth(result) }
        return try result + input
    }

    /// torchvision's `MBConv` (EfficientNet): `block.{0..3}` = expand (absent when the expansion ratio
    /// gives the input width), depthwise, `SqueezeExcitation` (squeeze to ⌊input/4⌋), project.
    static func mbConv(input: Int, output: Int, expandRatio: Double, kernel: Int, stride: Int,
                       stochasticDepthProbability: Double, norm: NormSettings,
                       generator: Generator?) throws -> InvertedResidual {
        let expanded = makeDivisible(Double(input) * expandRatio)
        var layers: [any Layer] = []
        if expanded != input {
            layers.append(try convNormActivation(input, expanded, kernel: 1, norm: norm, activation: .silu,
                                                 generator: generator))
        }
        layers.append(try convNormActivation(expanded, expanded, kernel: kernel, stride: stride, groups: expanded,
                                             norm: norm, activation: .silu, generator: generator))
        layers.append(try SqueezeExcitation(channels: expanded, squeezeChannels: max(1, input / 4),
                                            activation: .silu, hardSigmoidGate: false, generator: generator))
        layers.append(try convNormActivation(expanded, output, kernel: 1, norm: norm, activation: nil,
                                             generator: generator))
        return InvertedResidual(bodyName: "block", body: Sequential(layers), usesResidual: stride == 1 && input == output,
                                stochasticDepth: StochasticDepth(probability: stochasticDepthProbability),
                                outputChannels: output, stride: stride)
    }

    /// torchvision's MobileNetV2 `InvertedResidual`: `conv.{0,1}` expand (when the ratio is not 1) and
    /// depthwise with ReLU6, then the projection as two bare modules (`Conv2d`, `BatchNorm2d`).
    static func mobileNetV2(input: Int, output: Int, stride: Int, expandRatio: Int,
                            generator: Generator?) throws -> InvertedResidual {
        let hidden = input * expandRatio
        let norm = NormSettings.pytorchDefault
        var layers: [any Layer] = []
        if expandRatio != 1 {
            layers.append(try convNormActivation(input, hidden, kernel: 1, norm: norm, activation: .relu6,
                                                 generator: generator))
        }
        layers.append(try convNormActivation(hidden, hidden, kernel: 3, stride: stride, groups: hidden, norm: norm,
                                             activation: .relu6, generator: generator))
        layers.append(try mobileConvolution(hidden, output, kernel: 1, bias: false, generator: generator))
        layers.append(try norm.make(output))
        return InvertedResidual(bodyName: "conv", body: Sequential(layers), usesResidual: stride == 1 && input == output,
                                stochasticDepth: nil, outputChannels: output, stride: stride)
    }

    /// torchvision's MobileNetV3 `InvertedResidual`: `block.{0..3}` = expand (when the widths differ),
    /// depthwise, `SqueezeExcitation` (squeeze to `_make_divisible(expanded / 4)`, ReLU, hard sigmoid)
    /// when `squeezeExcitation`, project; batch norms with eps 0.001, momentum 0.01.
    static func mobileNetV3(input: Int, kernel: Int, expanded: Int, output: Int, squeezeExcitation: Bool,
                            hardswish: Bool, stride: Int, generator: Generator?) throws -> InvertedResidual {
        let norm = NormSettings.mobileNetV3
        let activation: MobileActivation = hardswish ? .hardswish : .relu
        var layers: [any Layer] = []
        if expanded != input {
            layers.append(try convNormActivation(input, expanded, kernel: 1, norm: norm, activation: activation,
                                                 generator: generator))
        }
        layers.append(try convNormActivation(expanded, expanded, kernel: kernel, stride: stride, groups: expanded,
                                             norm: norm, activation: activation, generator: generator))
        if squeezeExcitation {
            layers.append(try SqueezeExcitation(channels: expanded, squeezeChannels: makeDivisible(Double(expanded / 4)),
                                                activation: .relu, hardSigmoidGate: true, generator: generator))
        }
        layers.append(try convNormActivation(expanded, output, kernel: 1, norm: norm, activation: nil,
                                             generator: generator))
        return InvertedResidual(bodyName: "block", body: Sequential(layers), usesResidual: stride == 1 && input == output,
                                stochasticDepth: nil, outputChannels: output, stride: stride)
    }
}
