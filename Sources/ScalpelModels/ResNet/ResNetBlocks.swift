// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// torchvision's `BasicBlock` (ResNet-18/34): two 3×3 convolutions and a skip connection.
/// Keys: `conv1`, `bn1`, `conv2`, `bn2`, and `downsample.0` / `downsample.1` when the shape changes.
final class BasicBlock: Layer {
    static let expansion = 1
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    let downsample: Sequential?

    init(inputChannels: Int, planes: Int, stride: Int, generator: Generator?) throws {
        conv1 = try convolution(inputChannels, planes, kernel: 3, stride: stride, generator: generator)
        bn1 = try BatchNorm2d(featureCount: planes)
        conv2 = try convolution(planes, planes, kernel: 3, generator: generator)
        bn2 = try BatchNorm2d(featureCount: planes)
        downsample = try makeDownsample(inputChannels, planes * Self.expansion, stride: stride, generator: generator)
    }

    var namedChildren: [(String, any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] + (downsample.map { [("downsample", $0)] } ?? [])
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        // Unfused (training), in place as torchvision: both values are batch-norm outputs backward
        // does not need. In eval mode each convolution + batch norm (+ skip) + ReLU is one fused operator.
        let identity = try downsample?(input) ?? input
        let out = try conv1(input, normalizedBy: bn1, activation: .relu)
        return try conv2(out, normalizedBy: bn2, activation: .relu, adding: identity)
    }
}

/// torchvision's `Bottleneck` (ResNet-50/101/152, "ResNet v1.5": the stride is on the 3×3 conv).
/// Keys: `conv1`–`conv3`, `bn1`–`bn3`, and `downsample.0` / `downsample.1`.
final class Bottleneck: Layer {
    static let expansion = 4
    let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    let downsample: Sequential?

    init(inputChannels: Int, planes: Int, stride: Int, generator: Generator?) throws {
        conv1 = try convolution(inputChannels, planes, kernel: 1, generator: generator)
        bn1 = try BatchNorm2d(featureCount: planes)
        conv2 = try convolution(planes, planes, kernel: 3, stride: stride, generator: generator)
        bn2 = try BatchNorm2d(featureCount: planes)
        conv3 = try convolution(planes, planes * Self.expansion, kernel: 1, generator: generator)
        bn3 = try BatchNorm2d(featureCount: planes * Self.expansion)
        downsample = try makeDownsample(inputChannels, planes * Self.expansion, stride: stride, generator: generator)
    }

    var namedChildren: [(String, any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3)]
            + (downsample.map { [("downsample", $0)] } ?? [])
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        // Unfused (training), in place as torchvision: every overwritten value is a batch-norm output or
        // a sum. In eval mode each convolution + batch norm (+ skip) + ReLU is one fused operator.
        let identity = try downsample?(input) ?? input
        var out = try conv1(input, normalizedBy: bn1, activation: .relu)
        out = try conv2(out, normalizedBy: bn2, activation: .relu)
        return try conv3(out, normalizedBy: bn3, activation: .relu, adding: identity)
    }
}

/// A bias-free convolution with ResNet's initialisation (`kaiming_normal_`, fan-out, ReLU gain).
func convolution(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, generator: Generator?) throws -> Conv2d {
    let conv = try Conv2d(inputChannels: input, outputChannels: output, kernelSize: Size2d(kernel),
                          stride: Size2d(stride), padding: Size2d(kernel / 2), bias: false, generator: generator)
    try Initialization.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: .relu, generator: generator)
    return conv
}

/// The 1×1 convolution + batch norm that matches the skip connection's shape, when it changes.
func makeDownsample(_ input: Int, _ output: Int, stride: Int, generator: Generator?) throws -> Sequential? {
    guard stride != 1 || input != output else { return nil }
    return Sequential([try convolution(input, output, kernel: 1, stride: stride, generator: generator),
                       try BatchNorm2d(featureCount: output)])
}
