// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import Torch

/// Transferability scores of one cut point's frozen features (averaged over positions).
public struct CutPointScores: Codable, Sendable {
    public var cut: String
    public var channels: Int
    public var logME: Double?
    public var hScore: Double?
    public var gbc: Double?
    /// Scores that could not be computed and why.
    public var failures: [String: String]
    /// Set when there are no more images than features: LogME, H-score and GBC then degenerate (an exact
    /// fit, a rank-deficient covariance, separable classes) and do not compare with other cut points.
    public var note: String?
}

/// One pretrained backbone on one labelled image set: the feature scores at every chosen cut point and,
/// when the backbone still has its source (ImageNet) classifier, LEEP and NCE on its predictions.
public struct BackboneTransferability: Codable, Sendable {
    public var model: String
    public var images: Int
    public var classes: Int
    public var cuts: [CutPointScores]
    public var leep: Double?
    public var nce: Double?
}

/// LogME, H-score and GBC per cut point, LEEP and NCE per backbone, with no fine-tuning: one streaming
/// pass of the images through the frozen network keeps only the pooled features [N, C] of each cut point.
public enum TransferabilityAnalysis {
    /// The largest number of images held (pooled features of every cut point stay in memory).
    public static let largestImageCount = 50_000

    /// - Parameters:
    ///   - sourceScores: compute LEEP and NCE from the backbone's own classifier (softmax of its logits);
    ///     only meaningful while that is the source task's classifier.
    ///   - batches: calls its argument with each batch: images [B, C, H, W] on the backbone's device, and one
    ///     class index per image.
    public static func analyze(backbone: any Backbone, name: String, cuts: [CutPoint], sourceScores: Bool,
                               batches: ((Tensor, [Int]) throws -> Void) throws -> Void) throws -> BackboneTransferability {
        guard !cuts.isEmpty else { throw TransferabilityError("\(name): no cut point chosen") }
        var features: [[Tensor]] = Array(repeating: [], count: cuts.count)
        var probabilities: [Tensor] = []
        var labels: [Int] = []
        try withNoGrad {
            try batches { images, batchLabels in
                guard batchLabels.count == images.shape[0] else {
                    throw TransferabilityError("\(name): a batch of \(images.shape[0]) images came with \(batchLabels.count) labels")
                }
                guard labels.count + batchLabels.count <= largestImageCount else {
                    throw TransferabilityError("more than \(largestImageCount) images; score a subset (--max-images)")
                }
                let maps = try backbone.forwardIntermediates(images, at: cuts)
                for index in cuts.indices {
                    features[index].append(try SpatialFolding.pooled(maps[index]).to(dtype: .float64).to(device: .cpu))
                }
                if sourceScores {
                    let logits = try backbone(images)
                    probabilities.append(try logits.to(dtype: .float64).softmax(axis: 1).to(device: .cpu))
                }
                labels += batchLabels
            }
        }
        guard labels.count >= 2 else { throw TransferabilityError("\(name): transferability needs at least 2 images; got \(labels.count)") }
        let classes = try TransferabilityInput.classCount(labels: labels, datapoints: labels.count, name)
        var results: [CutPointScores] = []
        for (index, cut) in cuts.enumerated() {
            let matrix = try Tensor.cat(features[index], axis: 0)
            var scores = CutPointScores(cut: cut.name, channels: cut.channels, failures: [:])
            if labels.count <= matrix.shape[1] {
                scores.note = "\(labels.count) images for \(matrix.shape[1]) features: the scores degenerate and do not compare with other cut points"
            }
            func attempt(_ score: String, _ body: () throws -> Double) -> Double? {
                do {
                    let value = try body()
                    if value.isFinite { return value }
                    scores.failures[score] = "not finite (\(value))"
                } catch {
                    scores.failures[score] = "\(error)"
                }
                return nil
            }
            scores.logME = attempt("logme") { try LogME.score(features: matrix, labels: labels) }
            scores.hScore = attempt("h-score") { try HScore.score(features: matrix, labels: labels) }
            scores.gbc = attempt("gbc") { try GBC.score(features: matrix, labels: labels) }
            results.append(scores)
        }
        var report = BackboneTransferability(model: name, images: labels.count, classes: classes, cuts: results)
        if sourceScores, !probabilities.isEmpty {
            let p = try Tensor.cat(probabilities, axis: 0)
            report.leep = try LEEP.score(sourceProbabilities: p, labels: labels)
            report.nce = try NCE.score(sourceProbabilities: p, labels: labels)
        }
        return report
    }
}
