// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// MobileNetV3-Large (width 1.0) with torchvision's keys and computation.
///
/// See "Searching for MobileNetV3", Howard et al. 2019 <https://arxiv.org/abs/1905.02244>, and
/// torchvision's `models/mobilenetv3.py` (v0.29): a 3×3 Hardswish stem, 15 inverted residuals (ReLU or
/// Hardswish, some with squeeze-excitation gated by a hard sigmoid), a 1×1 convolution to 960
/// channels, batch norms with eps 0.001 and momentum 0.01, and the classifier
/// `[Linear(960, 1280), Hardswish, Dropout(0.2), Linear(1280, classes)]`.
///
/// Cut points: block level `features.0` (the stem), then the last layer of each stage — a run of
/// inverted residuals with stride 1 and unchanged width: `features.1`, `features.3`, `features.6`,
/// `features.10`, `features.12`, `features.15` — and `features.16`; layer level every `features.{i}`.
/// Keys: `features.0.{0,1}`, `features.{1-15}.block.{j}.…` (SqueezeExcitation `.fc1`/`.fc2`),
/// `features.16.{0,1}`, `classifier.0`, `classifier.3`.
public final class MobileNetV3: Backbone {
    public let architecture = Architecture.mobilenetV3Large
    let features: Sequential
    /// torchvision's `avgpool` module (no keys), applied by ``forwardHead(_:preLogits:)``.
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    /// `[Linear, Hardswish, Dropout, Linear]` (the last an Identity without classes).
    public private(set) var classifier: Sequential
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount = 960
    /// Width of the penultimate layer, `classifier.0`'s output.
    public let lastChannel = 1280

    /// (input, kernel, expanded, output, squeeze-excitation, Hardswish, stride), torchvision's table.
    static let settings: [(Int, Int, Int, Int, Bool, Bool, Int)] = [
        (16, 3, 16, 16, false, false, 1), (16, 3, 64, 24, false, false, 2), (24, 3, 72, 24, false, false, 1),
        (24, 5, 72, 40, true, false, 2), (40, 5, 120, 40, true, false, 1), (40, 5, 120, 40, true, false, 1),
        (40, 3, 240, 80, false, true, 2), (80, 3, 200, 80, false, true, 1), (80, 3, 184, 80, false, true, 1),
        (80, 3, 184, 80, false, true, 1), (80, 3, 480, 112, true, true, 1), (112, 3, 672, 112, true, true, 1),
        (112, 5, 672, 160, true, true, 2), (160, 5, 960, 160, true, true, 1), (160, 5, 960, 160, true, true, 1),
    ]

    /// - Parameter dropout: the classifier's dropout probability (torchvision: 0.2).
    public init(classCount: Int = 1000, dropout: Double = 0.2, generator: Generator? = nil) throws {
        guard (0 ... 1).contains(dropout) else { throw ArchitectureError("dropout must be in [0, 1], got \(dropout)") }
        let norm = NormSettings.mobileNetV3
        var chain = FeatureChainBuilder(inputChannels: 3)
        let stem = try convNormActivation(3, 16, kernel: 3, stride: 2, norm: norm, activation: .hardswish,
                                          generator: generator)
        chain.append("features.0", stem, channels: 16, stride: 2, cut: .block)
        chain.markCut(.layer)
        let blocks: [(layer: any Layer, channels: Int, stride: Int)] = try Self.settings.map {
            input, kernel, expanded, output, squeeze, hardswish, stride in
            (try InvertedResidual.mobileNetV3(input: input, kernel: kernel, expanded: expanded, output: output,
                                              squeezeExcitation: squeeze, hardswish: hardswish, stride: stride,
                                              generator: generator), output, stride)
        }
        chain.appendStages(blocks, first: 1)
        let head = try convNormActivation(160, featureCount, kernel: 1, norm: norm, activation: .hardswish,
                                          generator: generator)
        chain.append("features.\(blocks.count + 1)", head, channels: featureCount, cut: .block)
        chain.markCut(.layer)
        features = Sequential([stem] + blocks.map(\.layer) + [head])
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        self.classCount = classCount
        classifier = Sequential([
            try mobileLinear(featureCount, lastChannel, uniformFanOut: false, generator: generator), Hardswish(),
            Dropout(probability: dropout),
            try mobileClassifierLinear(lastChannel, classCount, uniformFanOut: false, generator: generator),
        ])
    }

    public var namedChildren: [(String, any Module)] {
        [("features", features), ("avgpool", avgpool), ("classifier", classifier)]
    }

    /// - Parameter features: `[N, 960, h, w]`.
    /// - Returns: `[N, classCount]` logits, or `[N, 1280]` (after `classifier.0` and Hardswish, before the
    ///   dropout) when `preLogits` or without classes.
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try avgpool(features).flattened(from: 1)
        guard preLogits || classCount == 0 else { return try classifier(pooled) }
        return try classifier[1](classifier[0](pooled))
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        try replaceMobileClassifier(in: classifier, at: 3, features: lastChannel, classCount: classCount,
                                    uniformFanOut: false, generator: generator)
        self.classCount = classCount
    }

}
