// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// The activation after a convolution and its batch norm in the mobile family.
enum MobileActivation: Sendable {
    case relu, relu6, silu, hardswish

    func makeLayer() -> any Layer {
        switch self {
        case .relu: ReLU()
        case .relu6: ReLU6()
        case .silu: SiLU()
        case .hardswish: Hardswish()
        }
    }
}

/// Batch-norm settings of a family: PyTorch's defaults (EfficientNet-B0…B4, MobileNetV2) or
/// MobileNetV3's `eps=0.001, momentum=0.01`.
struct NormSettings: Sendable {
    var eps: Double
    var momentum: Double

    static let pytorchDefault = NormSettings(eps: 1e-5, momentum: 0.1)
    static let mobileNetV3 = NormSettings(eps: 1e-3, momentum: 0.01)

    func make(_ channels: Int) throws -> BatchNorm2d {
        try BatchNorm2d(featureCount: channels, eps: eps, momentum: momentum)
    }
}

/// torchvision's `Conv2dNormActivation`: a bias-free convolution with "same" padding
/// (`(kernel − 1) / 2`), a batch norm and, unless `activation` is nil, an activation, as a `Sequential`.
/// Keys: `0.weight`, `1.{weight,bias,running_mean,running_var,num_batches_tracked}`.
func convNormActivation(_ input: Int, _ output: Int, kernel: Int = 3, stride: Int = 1, groups: Int = 1,
                        norm: NormSettings, activation: MobileActivation?, generator: Generator?) throws -> Sequential {
    let conv = try mobileConvolution(input, output, kernel: kernel, stride: stride, groups: groups, bias: false,
                                     generator: generator)
    var layers: [any Layer] = [conv, try norm.make(output)]
    if let activation { layers.append(activation.makeLayer()) }
    return Sequential(layers)
}

/// A convolution initialised as torchvision's mobile networks do: `kaiming_normal_(mode="fan_out")`
/// (gain √2) and a zero bias.
func mobileConvolution(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, groups: Int = 1, bias: Bool,
                       generator: Generator?) throws -> Conv2d {
    let conv = try Conv2d(inputChannels: input, outputChannels: output, kernelSize: Size2d(kernel),
                          stride: Size2d(stride), padding: Size2d((kernel - 1) / 2), groups: groups, bias: bias,
                          generator: generator)
    try Initialization.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: .relu, generator: generator)
    try conv.bias?.fillInPlace(0)
    return conv
}

/// torchvision's `_make_divisible` (from TensorFlow's MobileNet): `value` rounded to the nearest
/// multiple of `divisor`, at least `minimum` (the divisor by default) and never more than 10 % below `value`.
func makeDivisible(_ value: Double, _ divisor: Int = 8, minimum: Int? = nil) -> Int {
    var rounded = max(minimum ?? divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
    if Double(rounded) < 0.9 * value { rounded += divisor }
    return rounded
}

/// A classifier `Linear` initialised as the family does: EfficientNet U(−1/√out, 1/√out), the
/// MobileNets N(0, 0.01²); the bias is zero.
func mobileLinear(_ input: Int, _ output: Int, uniformFanOut: Bool, generator: Generator?) throws -> Linear {
    let linear = try Linear(inputFeatures: input, outputFeatures: output, generator: generator)
    if uniformFanOut {
        let range = 1 / Double(output).squareRoot()
        try linear.weight.uniformInPlace(low: -range, high: range, generator: generator)
    } else {
        try linear.weight.normalInPlace(mean: 0, std: 0.01, generator: generator)
    }
    try linear.bias?.fillInPlace(0)
    return linear
}

extension FeatureChainBuilder {
    /// Appends the inverted residuals of a MobileNet's `features`, `features.{first}` onwards, with a
    /// layer cut after each and a block cut after the last layer of each stage (a run of layers that
    /// keeps the stride at 1 and the output channels unchanged).
    mutating func appendStages(_ layers: [(layer: any Layer, channels: Int, stride: Int)], first: Int) {
        for (offset, item) in layers.enumerated() {
            append("features.\(first + offset)", item.layer, channels: item.channels, stride: item.stride, cut: .layer)
            let next = offset + 1 < layers.count ? layers[offset + 1] : nil
            if next.map({ $0.stride != 1 || $0.channels != item.channels }) ?? true {
                markCut(.block)
            }
        }
    }
}

/// The last classification layer of the mobile family: an identity for 0 classes, otherwise
/// ``mobileLinear(_:_:uniformFanOut:generator:)``.
func mobileClassifierLinear(_ features: Int, _ classCount: Int, uniformFanOut: Bool,
                            generator: Generator?) throws -> any Layer {
    classCount == 0 ? Identity() : try mobileLinear(features, classCount, uniformFanOut: uniformFanOut, generator: generator)
}

/// Installs a fresh last classification layer at `index` of a mobile-family `classifier`.
func replaceMobileClassifier(in classifier: Sequential, at index: Int, features: Int, classCount: Int,
                             uniformFanOut: Bool, generator: Generator?) throws {
    guard classCount >= 0 else { throw ArchitectureError("classCount must be >= 0, got \(classCount)") }
    classifier.replaceLayer(at: index, with: try mobileClassifierLinear(features, classCount, uniformFanOut: uniformFanOut,
                                                                         generator: generator))
}
