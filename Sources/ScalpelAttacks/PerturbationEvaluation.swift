// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// How one perturbation does on a set of images: predictions before and after, compared.
public struct PerturbationEvaluation: Sendable, Equatable, Codable {
    public var classCount: Int
    /// Predicted classes of the clean images and of clip(x + v, 0, 1).
    public var clean: [Int]
    public var perturbed: [Int]
    /// True labels, when known (for per-label rates).
    public var labels: [Int]?
    public var targetClass: Int?

    /// Predicts `images` `[N, C, H, W]` (pixels in [0, 1]) with and without `perturbation` `[C, H, W]`;
    /// `cleanPredictions` skips the clean pass when already known.
    public init(classifier: PixelClassifier, images: Tensor, perturbation: Tensor, labels: [Int]? = nil,
                targetClass: Int? = nil, cleanPredictions: [Int]? = nil) throws {
        guard images.rank == 4, Array(images.shape.dropFirst()) == perturbation.shape else {
            throw AttackError("the perturbation has shape \(perturbation.shape) but the images are \(Array(images.shape.dropFirst()))")
        }
        let clean = try cleanPredictions ?? classifier.predictions(images)
        let perturbed = try classifier.predictions(withNoGrad {
            try (images + perturbation.to(device: images.device)).clamped(min: 0, max: 1)
        })
        try self.init(classCount: classifier.classCount, clean: clean, perturbed: perturbed, labels: labels,
                      targetClass: targetClass)
    }

    public init(classCount: Int, clean: [Int], perturbed: [Int], labels: [Int]? = nil, targetClass: Int? = nil) throws {
        guard clean.count == perturbed.count, labels.map({ $0.count == clean.count }) ?? true else {
            throw AttackError("clean, perturbed and label lists differ in length")
        }
        let valid = 0..<classCount
        guard (clean + perturbed + (labels ?? [])).allSatisfy(valid.contains) else {
            throw AttackError("class indices must be in 0..<\(classCount)")
        }
        if let targetClass, !valid.contains(targetClass) {
            throw AttackError("target class \(targetClass) does not exist: the model has classes 0...\(classCount - 1)")
        }
        self.classCount = classCount
        self.clean = clean
        self.perturbed = perturbed
        self.labels = labels
        self.targetClass = targetClass
    }

    public var count: Int { clean.count }

    /// R_f = share of images whose perturbed prediction differs from the clean *prediction*.
    public var foolingRate: Double {
        rate(zip(clean, perturbed).filter { $0 != $1 }.count, of: count)
    }

    /// R_s = share of images predicted as the target after the perturbation — images already predicted
    /// as the target count (Hirano & Takemoto's definition); nil when not targeted.
    public var targetedSuccessRate: Double? {
        targetClass.map { target in rate(perturbed.filter { $0 == target }.count, of: count) }
    }

    /// Share predicted as the target *before* the perturbation (the baseline R_s starts from).
    public var cleanTargetRate: Double? {
        targetClass.map { target in rate(clean.filter { $0 == target }.count, of: count) }
    }

    /// `matrix[clean][perturbed]` counts.
    public var confusion: [[Int]] {
        var matrix = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
        for (c, p) in zip(clean, perturbed) { matrix[c][p] += 1 }
        return matrix
    }

    /// Per clean-predicted class: images, fooling rate (nil for a class never predicted).
    public var foolingRateByCleanClass: [(images: Int, foolingRate: Double?)] {
        (0..<classCount).map { c in
            let indices = clean.indices.filter { clean[$0] == c }
            let fooled = indices.filter { perturbed[$0] != c }.count
            return (indices.count, indices.isEmpty ? nil : rate(fooled, of: indices.count))
        }
    }

    /// Per true label (when labels are known): images, fooling rate, targeted success rate.
    public var ratesByLabel: [(images: Int, foolingRate: Double?, targetedSuccessRate: Double?)]? {
        guard let labels else { return nil }
        return (0..<classCount).map { c in
            let indices = labels.indices.filter { labels[$0] == c }
            guard !indices.isEmpty else { return (0, nil, nil) }
            let fooled = indices.filter { clean[$0] != perturbed[$0] }.count
            let success = targetClass.map { t in rate(indices.filter { perturbed[$0] == t }.count, of: indices.count) }
            return (indices.count, rate(fooled, of: indices.count), success)
        }
    }

    private func rate(_ part: Int, of whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
}
