// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// MobileNetV2 (width 1.0) with torchvision's keys and computation.
///
/// See "MobileNetV2: Inverted Residuals and Linear Bottlenecks", Sandler et al. 2018
/// <https://arxiv.org/abs/1801.04381>, and torchvision's `models/mobilenetv2.py` (v0.29): a 3×3 stem,
/// 17 inverted residuals with ReLU6, a 1×1 convolution to 1280 channels, batch norms with PyTorch's
/// defaults, and `[Dropout(0.2), Linear]` as the classifier.
///
/// Cut points: block level `features.0` (the stem), then the last layer of each stage — a run of
/// inverted residuals with stride 1 and unchanged width: `features.1`, `features.3`, `features.6`,
/// `features.10`, `features.13`, `features.16`, `features.17` — and `features.18`; layer level every
/// `features.{i}`. Keys: `features.0.{0,1}`, `features.{1-17}.conv.{j}.…`, `features.18.{0,1}`,
/// `classifier.1` (index 0 is Dropout).
public final class MobileNetV2: Backbone {
    public let architecture = Architecture.mobilenetV2
    let features: Sequential
    /// `[Dropout, Linear]` (`[Dropout, Identity]` without classes).
    public private(set) var classifier: Sequential
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount = 1280

    /// (expansion t, channels c, repeats n, first stride s), as in the paper's Table 2.
    static let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)]

    /// - Parameter dropout: the classifier's dropout probability (torchvision: 0.2).
    public init(classCount: Int = 1000, dropout: Double = 0.2, generator: Generator? = nil) throws {
        guard (0 ... 1).contains(dropout) else { throw ArchitectureError("dropout must be in [0, 1], got \(dropout)") }
        let norm = NormSettings.pytorchDefault
        var chain = FeatureChainBuilder(inputChannels: 3)
        let stem = try convNormActivation(3, 32, kernel: 3, stride: 2, norm: norm, activation: .relu6,
                                          generator: generator)
        chain.append("features.0", stem, channels: 32, stride: 2, cut: .block)
        chain.markCut(.layer)
        var blocks: [(layer: any Layer, channels: Int, stride: Int)] = []
        var input = 32
        for (expansion, channels, repeats, firstStride) in Self.settings {
            for index in 0 ..< repeats {
                let stride = index == 0 ? firstStride : 1
                blocks.append((try InvertedResidual.mobileNetV2(input: input, output: channels, stride: stride,
                                                                expandRatio: expansion, generator: generator),
                               channels, stride))
                input = channels
            }
        }
        chain.appendStages(blocks, first: 1)
        let head = try convNormActivation(input, featureCount, kernel: 1, norm: norm, activation: .relu6,
                                          generator: generator)
        chain.append("features.\(blocks.count + 1)", head, channels: featureCount, cut: .block)
        chain.markCut(.layer)
        features = Sequential([stem] + blocks.map(\.layer) + [head])
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        self.classCount = classCount
        classifier = Sequential([Dropout(probability: dropout),
                                 try mobileClassifierLinear(featureCount, classCount, uniformFanOut: false, generator: generator)])
    }

    public var namedChildren: [(String, any Module)] { [("features", features), ("classifier", classifier)] }

    /// - Parameter features: `[N, 1280, h, w]`.
    /// - Returns: `[N, classCount]` logits, or the pooled `[N, 1280]` when `preLogits` or without classes.
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try features.adaptiveAvgPool2d(outputSize: (1, 1)).flattened(from: 1)
        return preLogits || classCount == 0 ? pooled : try classifier(pooled)
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        try replaceMobileClassifier(in: classifier, at: 1, features: featureCount, classCount: classCount,
                                    uniformFanOut: false, generator: generator)
        self.classCount = classCount
    }

}
