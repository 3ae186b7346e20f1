// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// torchvision's `_DenseLayer` (DenseNet-BC, `drop_rate` 0): batch norm, ReLU, 1×1 convolution to
/// `bnSize · growthRate` channels, batch norm, ReLU, 3×3 convolution to `growthRate` channels.
///
/// Keys: `norm1`, `conv1` (`[bnSize·k, inputChannels, 1, 1]`), `norm2`, `conv2` (`[k, bnSize·k, 3, 3]`).
/// It returns only the new `[N, growthRate, H, W]` features; ``DenseLink`` appends them to its input.
final class DenseLayer: Layer {
    let norm1: BatchNorm2d, relu1 = ReLU(), conv1: Conv2d
    let norm2: BatchNorm2d, relu2 = ReLU(), conv2: Conv2d

    init(inputChannels: Int, growthRate: Int, bnSize: Int, generator: Generator?) throws {
        let width = bnSize * growthRate
        norm1 = try BatchNorm2d(featureCount: inputChannels)
        conv1 = try Conv2d(inputChannels: inputChannels, outputChannels: width, kernelSize: 1, bias: false,
                           generator: generator)
        norm2 = try BatchNorm2d(featureCount: width)
        conv2 = try Conv2d(inputChannels: width, outputChannels: growthRate, kernelSize: 3, padding: 1, bias: false,
                           generator: generator)
    }

    var namedChildren: [(String, any Module)] {
        [("norm1", norm1), ("relu1", relu1), ("conv1", conv1), ("norm2", norm2), ("relu2", relu2), ("conv2", conv2)]
    }

    /// - Parameter input: `[N, inputChannels, H, W]` (the concatenation of everything before it).
    /// - Returns: `[N, growthRate, H, W]`.
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        // Eval mode: norm1, relu1, conv1, norm2, relu2 as one fused node, conv2 on prepacked weights.
        if let bottleneck = try conv1.fused(input, preActivatedBy: norm1, normalizedBy: norm2, activation: .relu) {
            return try conv2.fused(bottleneck) ?? conv2(bottleneck)
        }
        let features = try relu1(norm1(input))
        if conv1.canFuse(with: norm2, input: features) {  // eval mode: conv1 + norm2 + relu2 fused
            return try conv2(conv1(features, normalizedBy: norm2, activation: .relu))
        }
        let bottleneck = try conv1(features)
        return try conv2(relu2(norm2(bottleneck)))
    }
}

/// A dense layer as one step of the feature chain: `x ↦ cat([x, layer(x)], 1)`.
///
/// Its children are the layer's own, so a backbone truncated after it keeps the layer's keys
/// (`features.denseblock1.denselayer1.norm1.weight`, …). Concatenating step by step gives the same
/// tensor, in the same channel order, as torchvision's `_DenseBlock`, which concatenates the whole list
/// before each layer.
final class DenseLink: Layer {
    let layer: DenseLayer

    init(_ layer: DenseLayer) {
        self.layer = layer
    }

    var namedChildren: [(String, any Module)] { layer.namedChildren }

    /// - Returns: `[N, C + growthRate, H, W]` for an `[N, C, H, W]` input.
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try Tensor.cat([input, layer(input)], axis: 1)
    }
}

/// torchvision's `_DenseBlock`: dense layers `denselayer1` … `denselayerN`, each fed the concatenation
/// of the block's input and every earlier layer's output; the result is that concatenation too.
final class DenseBlock: Layer {
    let links: [DenseLink]

    init(_ links: [DenseLink]) {
        self.links = links
    }

    var namedChildren: [(String, any Module)] {
        links.enumerated().map { ("denselayer\($0.offset + 1)", $0.element.layer as any Module) }
    }

    /// - Returns: `[N, C + N·growthRate, H, W]`.
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try links.reduce(input) { try $1($0) }
    }
}

/// torchvision's `_Transition`: batch norm, ReLU, 1×1 convolution (halving the channels), 2×2 average
/// pooling with stride 2. Keys `norm`, `conv`.
func makeTransition(_ input: Int, _ output: Int, generator: Generator?) throws -> Sequential {
    Sequential(named: [
        ("norm", try BatchNorm2d(featureCount: input)),
        ("relu", ReLU()),
        ("conv", try Conv2d(inputChannels: input, outputChannels: output, kernelSize: 1, bias: false,
                            generator: generator)),
        ("pool", AvgPool2d(kernelSize: 2, stride: 2)),
    ])
}
