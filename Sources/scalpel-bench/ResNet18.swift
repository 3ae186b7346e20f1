// Scalpel — benchmark
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// torchvision's ResNet-18 (basic blocks, same keys and shapes), the benchmark's "ResNet-style conv net".
final class ResNet18: Layer {
    final class BasicBlock: Layer {
        let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
        let downsample: Sequential?

        init(_ input: Int, _ output: Int, stride: Int) throws {
            conv1 = try Conv2d(inputChannels: input, outputChannels: output, kernelSize: 3, stride: Size2d(stride),
                               padding: 1, bias: false)
            bn1 = try BatchNorm2d(featureCount: output)
            conv2 = try Conv2d(inputChannels: output, outputChannels: output, kernelSize: 3, padding: 1, bias: false)
            bn2 = try BatchNorm2d(featureCount: output)
            downsample = stride != 1 || input != output
                ? Sequential([try Conv2d(inputChannels: input, outputChannels: output, kernelSize: 1,
                                         stride: Size2d(stride), bias: false),
                              try BatchNorm2d(featureCount: output)])
                : nil
        }

        var namedChildren: [(String, any Module)] {
            [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] + (downsample.map { [("downsample", $0)] } ?? [])
        }

        func callAsFunction(_ input: Tensor) throws -> Tensor {
            let out = try bn2(conv2(bn1(conv1(input)).relu()))
            return try (out + (downsample?(input) ?? input)).relu()
        }
    }

    let conv1: Conv2d, bn1: BatchNorm2d, maxpool: MaxPool2d
    let layers: [Sequential]
    let fc: Linear

    init(classCount: Int) throws {
        conv1 = try Conv2d(inputChannels: 3, outputChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false)
        bn1 = try BatchNorm2d(featureCount: 64)
        maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        var layers: [Sequential] = []
        var channels = 64
        for (index, width) in [64, 128, 256, 512].enumerated() {
            let stride = index == 0 ? 1 : 2
            layers.append(Sequential([try BasicBlock(channels, width, stride: stride), try BasicBlock(width, width, stride: 1)]))
            channels = width
        }
        self.layers = layers
        fc = try Linear(inputFeatures: 512, outputFeatures: classCount)
    }

    var namedChildren: [(String, any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("maxpool", maxpool)]
            + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) } + [("fc", fc)]
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = try maxpool(bn1(conv1(input)).relu())
        for layer in layers { x = try layer(x) }
        return try fc(x.adaptiveAvgPool2d(outputSize: (1, 1)).flattened(from: 1))
    }
}
