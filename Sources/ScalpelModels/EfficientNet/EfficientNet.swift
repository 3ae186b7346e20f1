// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import TorchNN

/// EfficientNet-B0…B3 with torchvision's keys and computation.
///
/// See "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", Tan & Le 2019
/// <https://arxiv.org/abs/1905.11946>, and torchvision's `models/efficientnet.py` (v0.29): seven stages
/// of `MBConv` blocks scaled by a width multiplier (channels rounded with `_make_divisible`) and a
/// depth multiplier (`ceil(layers · depth)`), SiLU activations, batch norms with PyTorch's defaults
/// (B0–B4), stochastic depth rising linearly from 0 to 0.2 over the blocks, and dropout before the
/// classifier (0.2 for B0/B1, 0.3 for B2/B3).
///
/// Cut points: block level `features.0` (the stem), `features.1` … `features.7` (the stages) and
/// `features.8` (the final 1×1 convolution); layer level the stem, every MBConv (`features.5.2`) and
/// `features.8`. Keys: `features.0.{0,1}`, `features.{1-7}.{i}.block.{j}.…` (Conv2dNormActivation
/// `.0`/`.1`, SqueezeExcitation `.fc1`/`.fc2`), `features.8.{0,1}`, `classifier.1` (index 0 is Dropout).
public final class EfficientNet: Backbone {
    public let architecture: Architecture
    let features: Sequential
    /// torchvision's `avgpool` module (no keys), applied by ``forwardHead(_:preLogits:)``.
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    /// `[Dropout, Linear]` (`[Dropout, Identity]` without classes).
    public private(set) var classifier: Sequential
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount: Int

    /// (expand ratio, kernel, stride, input channels, output channels, layers) before scaling.
    static let baseStages: [(Double, Int, Int, Int, Int, Int)] = [
        (1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1),
    ]

    /// - Parameters:
    ///   - architecture: one of `.efficientnetB0` … `.efficientnetB3`.
    ///   - dropout: the classifier's dropout probability; torchvision's per-variant value when nil.
    ///   - stochasticDepthProbability: the drop probability reached by the last block (torchvision: 0.2).
    public init(_ architecture: Architecture, classCount: Int = 1000, dropout: Double? = nil,
                stochasticDepthProbability: Double = 0.2, generator: Generator? = nil) throws {
        let (width, depth, defaultDropout): (Double, Double, Double) = switch architecture {
        case .efficientnetB0: (1.0, 1.0, 0.2)
        case .efficientnetB1: (1.0, 1.1, 0.2)
        case .efficientnetB2: (1.1, 1.2, 0.3)
        case .efficientnetB3: (1.2, 1.4, 0.3)
        default: throw ArchitectureError("\(architecture.rawValue) is not an EfficientNet B0–B3")
        }
        let dropout = dropout ?? defaultDropout
        guard (0 ... 1).contains(dropout), (0 ... 1).contains(stochasticDepthProbability) else {
            throw ArchitectureError("dropout and stochastic depth probabilities must be in [0, 1]")
        }
        self.architecture = architecture
        let norm = NormSettings.pytorchDefault
        let stages = Self.baseStages.map { expand, kernel, stride, input, output, layers in
            (expand, kernel, stride, makeDivisible(Double(input) * width), makeDivisible(Double(output) * width),
             Int((Double(layers) * depth).rounded(.up)))
        }
        let totalBlocks = stages.map(\.5).reduce(0, +)
        var chain = FeatureChainBuilder(inputChannels: 3)
        let stemChannels = stages[0].3
        let stem = try convNormActivation(3, stemChannels, kernel: 3, stride: 2, norm: norm, activation: .silu,
                                          generator: generator)
        chain.append("features.0", stem, channels: stemChannels, stride: 2, cut: .block)
        chain.markCut(.layer)
        var modules: [any Layer] = [stem]
        var blockIndex = 0
        for (stageIndex, (expand, kernel, stride, input, output, layers)) in stages.enumerated() {
            var blocks: [any Layer] = []
            for index in 0 ..< layers {
                let probability = stochasticDepthProbability * Double(blockIndex) / Double(totalBlocks)
                let block = try InvertedResidual.mbConv(
                    input: index == 0 ? input : output, output: output, expandRatio: expand, kernel: kernel,
                    stride: index == 0 ? stride : 1, stochasticDepthProbability: probability, norm: norm,
                    generator: generator)
                blocks.append(block)
                chain.append("features.\(stageIndex + 1).\(index)", block, channels: output,
                             stride: index == 0 ? stride : 1, cut: .layer)
                blockIndex += 1
            }
            chain.markCut(.block, name: "features.\(stageIndex + 1)")
            modules.append(Sequential(blocks))
        }
        let lastInput = stages[stages.count - 1].4
        featureCount = 4 * lastInput
        let head = try convNormActivation(lastInput, featureCount, kernel: 1, norm: norm, activation: .silu,
                                          generator: generator)
        modules.append(head)
        chain.append("features.8", head, channels: featureCount, cut: .block)
        chain.markCut(.layer)
        features = Sequential(modules)
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        self.classCount = classCount
        classifier = Sequential([Dropout(probability: dropout),
                                 try mobileClassifierLinear(featureCount, classCount, uniformFanOut: true, generator: generator)])
    }

    public var namedChildren: [(String, any Module)] {
        [("features", features), ("avgpool", avgpool), ("classifier", classifier)]
    }

    /// - Parameter features: `[N, featureCount, h, w]`.
    /// - Returns: `[N, classCount]` logits (dropout, then `classifier.1`), or the pooled `[N, featureCount]`
    ///   when `preLogits` or without classes.
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try avgpool(features).flattened(from: 1)
        return preLogits || classCount == 0 ? pooled : try classifier(pooled)
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        try replaceMobileClassifier(in: classifier, at: 1, features: featureCount, classCount: classCount,
                                    uniformFanOut: true, generator: generator)
        self.classCount = classCount
    }

}
