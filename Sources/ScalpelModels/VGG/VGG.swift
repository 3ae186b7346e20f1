// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// VGG-11/13/16/19, with and without batch normalisation, with torchvision's keys and computation.
///
/// See "Very Deep Convolutional Networks for Large-Scale Image Recognition", Simonyan and Zisserman 2014
/// <https://arxiv.org/abs/1409.1556>, and torchvision's `models/vgg.py` (configurations A, B, D, E; the
/// `_bn` variants put a batch norm between each convolution and its ReLU).
///
/// Keys: `features.{i}` with torchvision's indices (each 3×3 convolution with a bias, then its batch norm
/// for `_bn`, then a ReLU; a 2×2 max-pool closes each of the five stages), and `classifier.{0,3,6}`: the
/// head is `AdaptiveAvgPool2d((7, 7))`, flattening, and Linear(25088, 4096), ReLU, Dropout(0.5),
/// Linear(4096, 4096), ReLU, Dropout(0.5), Linear(4096, classCount).
///
/// Cut points: block level after each max-pool, named by the pool's key (`features.4`, `features.9`, …
/// for `vgg16`); layer level after each convolution's ReLU (`features.1`, `features.3`, …) and after
/// each max-pool again. The features at the last pool have 512 channels and stride 32.
///
/// The classifier holds about 120 M parameters whatever the input size, since pooling to 7×7 always
/// precedes it; ``resetClassifier(classCount:generator:)`` replaces only `classifier.6`, and with 0
/// classes the head returns the 4096 pre-logits. Inputs need at least 32 px per side.
///
/// ```swift
/// let model = try Architecture.vgg16BN.makeModel(classCount: 2)
/// let trunk = try model.truncated(at: "features.33")   // after the fourth pool: [N, 512, H/16, W/16]
/// ```
public final class VGG: Backbone {
    public let architecture: Architecture
    let features: Sequential
    let avgpool = AdaptiveAvgPool2d(outputSize: 7)
    /// `classifier.0` … `classifier.6`; the last is `Identity` when `classCount` is 0.
    let classifier: Sequential
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount: Int

    /// Output channels of each convolution; 0 marks a max-pool (torchvision's `cfgs`, "M" → 0).
    static func configuration(_ architecture: Architecture) throws -> (stages: [Int], batchNorm: Bool) {
        switch architecture {
        case .vgg11, .vgg11BN: ([64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], architecture == .vgg11BN)
        case .vgg13, .vgg13BN:
            ([64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], architecture == .vgg13BN)
        case .vgg16, .vgg16BN:
            ([64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0], architecture == .vgg16BN)
        case .vgg19, .vgg19BN:
            ([64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
             architecture == .vgg19BN)
        default: throw ArchitectureError("\(architecture.rawValue) is not a VGG")
        }
    }

    /// - Parameter architecture: one of `.vgg11` … `.vgg19BN`.
    /// - Throws: ``ArchitectureError`` for another architecture.
    public init(_ architecture: Architecture, classCount: Int = 1000, generator: Generator? = nil) throws {
        let (configuration, batchNorm) = try Self.configuration(architecture)
        self.architecture = architecture
        var chain = FeatureChainBuilder(inputChannels: 3)
        var layers: [any Layer] = []
        func append(_ layer: any Layer, channels: Int? = nil, stride: Int = 1, cut: CutPoint.Level? = nil) {
            chain.append("features.\(layers.count)", layer, channels: channels, stride: stride, cut: cut)
            layers.append(layer)
        }
        var channels = 3
        for width in configuration {
            if width == 0 {
                append(MaxPool2d(kernelSize: 2, stride: 2), stride: 2, cut: .block)
                chain.markCut(.layer)
                continue
            }
            append(try Conv2d(inputChannels: channels, outputChannels: width, kernelSize: 3, padding: 1,
                              generator: generator), channels: width)
            if batchNorm { append(try BatchNorm2d(featureCount: width)) }
            append(ReLU(), cut: .layer)
            channels = width
        }
        features = Sequential(layers)
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        featureCount = channels
        self.classCount = classCount
        classifier = Sequential([
            try Linear(inputFeatures: channels * 7 * 7, outputFeatures: 4096, generator: generator), ReLU(),
            Dropout(probability: 0.5),
            try Linear(inputFeatures: 4096, outputFeatures: 4096, generator: generator), ReLU(),
            Dropout(probability: 0.5),
            try Self.makeLastLinear(classCount: classCount, generator: generator, initialize: false),
        ])
        try Self.initialize(self, generator: generator)
    }

    public var namedChildren: [(String, any Module)] {
        [("features", features), ("avgpool", avgpool), ("classifier", classifier)]
    }

    /// Pooling to 7×7, flattening and the classifier MLP (torchvision's `forward` after `features`).
    ///
    /// - Parameter features: `[N, 512, h, w]` from ``forwardFeatures(_:)``.
    /// - Returns: `[N, classCount]`; `[N, 4096]` when `preLogits` (before `classifier.6`) or when the
    ///   last layer is an identity.
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        var x = try avgpool(features).flattened(from: 1)
        for layer in classifier.layers.prefix(preLogits ? 6 : 7) {
            x = try layer(x)
        }
        return x
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        guard classCount >= 0 else { throw ArchitectureError("classCount must be >= 0, got \(classCount)") }
        classifier.replaceLayer(at: 6, with: try Self.makeLastLinear(classCount: classCount, generator: generator,
                                                                       initialize: true))
        self.classCount = classCount
    }

    /// `classifier.6`: Linear(4096, classCount), or an identity for 0 classes.
    static func makeLastLinear(classCount: Int, generator: Generator?, initialize: Bool) throws -> any Layer {
        guard classCount > 0 else { return Identity() }
        let linear = try Linear(inputFeatures: 4096, outputFeatures: classCount, generator: generator)
        if initialize { try initializeLinear(linear, generator: generator) }
        return linear
    }

    /// torchvision's loop over `self.modules()`, after every layer drew its default initialisation:
    /// convolutions `kaiming_normal_(mode="fan_out", nonlinearity="relu")` with bias 0, batch norms 1/0,
    /// Linear weights N(0, 0.01²) with bias 0. With the same seed the values equal torchvision's.
    static func initialize(_ model: VGG, generator: Generator?) throws {
        for (_, module) in model.namedModules() {
            if let conv = module as? Conv2d {
                try Initialization.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: .relu, generator: generator)
                try conv.bias?.fillInPlace(0)
            } else if let linear = module as? Linear {
                try initializeLinear(linear, generator: generator)
            }
        }
    }

    static func initializeLinear(_ linear: Linear, generator: Generator?) throws {
        try linear.weight.normalInPlace(mean: 0, std: 0.01, generator: generator)
        try linear.bias?.fillInPlace(0)
    }
}
