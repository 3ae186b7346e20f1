// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// The size and cost of a backbone truncated at one cut point, with TruncatedTL's pooled linear head.
public struct CutComplexity: Sendable, Hashable {
    public var cut: CutPoint
    /// The truncated backbone plus `AdaptiveAvgPool2d(1)` → `Flatten` → `Linear(channels → classes)`.
    public var complexity: Complexity
    /// The feature map at the cut for one sample, `[C, h, w]`.
    public var featureShape: [Int]

    public init(cut: CutPoint, complexity: Complexity, featureShape: [Int]) {
        self.cut = cut
        self.complexity = complexity
        self.featureShape = featureShape
    }
}

extension ModelComplexity {
    /// Parameters and MACs of `backbone` truncated at each of `cuts` (default: every cut point, in
    /// network order) with a pooled linear head for `classCount` classes, and the feature shape there.
    ///
    /// One forward pass of the truncated model per cut point, plus one pass for the feature shapes.
    /// The backbone's own classifier is not part of any truncated model; its modes are restored after.
    ///
    /// - Throws: ``ArchitectureError`` when `classCount < 1`; ``CutPointError`` for a cut point of another
    ///   backbone; ``TorchError`` when the input is too small for the layers kept.
    public static func measureCutPoints(_ backbone: any Backbone, inputSize: Int = 224, channels: Int = 3,
                                        classCount: Int = 2, cuts: [CutPoint]? = nil) throws -> [CutComplexity] {
        let cuts = cuts ?? backbone.cutPoints
        let input = try makeInput(for: backbone, shape: [1, channels, inputSize, inputSize])
        let features = try withEvaluationMode(backbone) {
            try withNoGrad { try backbone.forwardIntermediates(input, at: cuts) }
        }
        return try zip(cuts, features).map { (cut: CutPoint, feature: Tensor) throws -> CutComplexity in
            let model = try backbone.truncated(at: cut).withPooledLinearHead(classCount: classCount)
            let complexity = try measure(model, inputShape: input.shape)
            return CutComplexity(cut: cut, complexity: complexity, featureShape: Array(feature.shape.dropFirst()))
        }
    }
}
