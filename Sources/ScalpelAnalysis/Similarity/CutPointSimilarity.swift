// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import Torch

/// One cut point: the two networks' features there, compared.
public struct CutPointComparison: Codable, Sendable {
    public var cut: String
    public var channels: Int
    /// Spatial sizes [h, w] of the two maps at this cut point for the input size used.
    public var spatialSizes: [[Int]]
    public var comparison: SimilarityComparison
}

/// Linear CKA between every pair of cut points inside one network, on features averaged over positions
/// (one datapoint per image, so maps of any size compare).
public struct BlockSimilarityMatrix: Codable, Sendable {
    public var cuts: [String]
    /// `linearCKA[i][j]` between cut points i and j (symmetric, 1 on the diagonal).
    public var linearCKA: [[Double]]
}

/// What ``CutPointSimilarity/analyze(first:second:cuts:options:spatial:baselineDraws:seed:batches:)`` finds.
public struct CutPointSimilarityReport: Codable, Sendable {
    public var images: Int
    public var spatial: SpatialHandling
    public var cuts: [CutPointComparison]
    /// Inside the second network (the fine-tuned one).
    public var blockMatrix: BlockSimilarityMatrix
}

/// TruncatedTL's analysis (§3.3, Fig. 4): per cut point, the similarity of two networks' features on the
/// same images (pretrained vs fine-tuned, or two fine-tuned runs) against the random baseline of the same
/// shapes, in one streaming pass over the images.
public enum CutPointSimilarity {
    /// The cut points of `first` whose names `second` also has, in network order; `names` (nil: every block
    /// cut point both share) picks some. A name either network lacks is an error listing the shared ones.
    public static func sharedCuts(_ first: any Backbone, _ second: any Backbone, names: [String]?,
                                  sharedByWeights: Set<String>? = nil) throws -> [CutPoint] {
        let secondNames = Set(second.cutPoints.map(\.name))
        let shared = first.cutPoints.filter { secondNames.contains($0.name) && (sharedByWeights?.contains($0.name) ?? true) }
        guard let names else {
            let blocks = shared.filter { $0.level == .block }
            guard !blocks.isEmpty else { throw SimilarityError("the two networks share no block cut point") }
            return blocks
        }
        var chosen: [CutPoint] = []
        for name in names {
            guard let cut = shared.first(where: { $0.name == name && $0.level == .block }) ?? shared.first(where: { $0.name == name }) else {
                let valid = shared.filter { $0.level == .block }.map(\.name)
                throw SimilarityError("no cut point '\(name)' that both networks share; shared block cut points: " +
                                      "\(valid.joined(separator: ", ")) (layer cut points too: scalpel models ARCH --cuts)")
            }
            chosen.append(cut)
        }
        return chosen
    }

    /// Streams the image batches `batches` calls `consume` with ([B, C, H, W], on the networks' device) through
    /// both networks (evaluation mode, no gradients) and compares the features at every cut point.
    /// CCA-based measures are skipped with a note at cut points with fewer datapoints than features.
    public static func analyze(first: any Backbone, second: any Backbone, cuts: [CutPoint], options: SimilarityOptions,
                               spatial: SpatialHandling, baselineDraws: Int, seed: UInt64,
                               batches: ((Tensor) throws -> Void) throws -> Void) throws -> CutPointSimilarityReport {
        guard !cuts.isEmpty else { throw SimilarityError("no cut point to compare") }
        let accumulators = try cuts.map { _ in try SimilarityAccumulator(options: options) }
        var pooled: [[Tensor]] = Array(repeating: [], count: cuts.count)
        var spatialSizes: [[[Int]]] = Array(repeating: [], count: cuts.count)
        var images = 0
        try withNoGrad {
            try batches { input in
                let left = try first.forwardIntermediates(input, at: cuts)
                let right = try second.forwardIntermediates(input, at: cuts)
                for index in cuts.indices {
                    let (x, y) = try SpatialFolding.rows(left[index], right[index], handling: spatial)
                    try accumulators[index].add(x, y)
                    pooled[index].append(try SpatialFolding.pooled(right[index]).to(dtype: .float64).to(device: .cpu))
                    if spatialSizes[index].isEmpty {
                        spatialSizes[index] = [left[index], right[index]].map { $0.rank == 4 ? [$0.shape[2], $0.shape[3]] : [1, 1] }
                    }
                }
                images += input.shape[0]
            }
        }
        guard images >= 2 else { throw SimilarityError("similarity needs at least 2 images; got \(images)") }
        var results: [CutPointComparison] = []
        for (index, cut) in cuts.enumerated() {
            let accumulator = accumulators[index]
            let counts = try accumulator.scores(measures: [.linearCKA])
            var (usable, skipped) = try SimilarityComparison.usableOptions(options, datapoints: counts.datapoints,
                                                                            featuresX: counts.featuresX, featuresY: counts.featuresY,
                                                                            skipCCA: true)
            // A CCA measure undefined at one cut point (e.g. PWCCA on collinear directions) is skipped
            // there with its reason; the other measures and cut points still count.
            var scores: SimilarityScores
            while true {
                do {
                    scores = try accumulator.scores(measures: usable.measures)
                    break
                } catch let error as SimilarityError {
                    let failing: Set<SimilarityMeasure> = usable.measures.contains(.pwcca) ? [.pwcca] : usable.measures.filter(\.isCCA)
                    guard !failing.isEmpty else { throw error }
                    for measure in failing { skipped[measure.rawValue] = "undefined here: \(error.description)" }
                    usable.measures.subtract(failing)
                    if usable.measures.isEmpty { usable.measures = [.linearCKA] }
                }
            }
            let comparison = try SimilarityComparison.finish(scores, options: usable, skipped: skipped,
                                                             baselineDraws: baselineDraws, seed: seed &+ UInt64(index))
            results.append(CutPointComparison(cut: cut.name, channels: cut.channels, spatialSizes: spatialSizes[index],
                                              comparison: comparison))
        }
        let features = try pooled.map { try Tensor.cat($0, axis: 0) }
        var matrix = Array(repeating: Array(repeating: 1.0, count: cuts.count), count: cuts.count)
        for i in cuts.indices {
            for j in cuts.indices where j > i {
                let value = try CKA.linear(try CentredCrossProducts.of(features[i], features[j], keepsRowNorms: false))
                matrix[i][j] = value
                matrix[j][i] = value
            }
        }
        return CutPointSimilarityReport(images: images, spatial: spatial, cuts: results,
                                        blockMatrix: BlockSimilarityMatrix(cuts: cuts.map(\.name), linearCKA: matrix))
    }

    /// One CSV row per cut point and measure: `cut,measure,value,baseline_mean,baseline_std,area_above_baseline`.
    public static func csv(_ report: CutPointSimilarityReport) -> String {
        var lines = ["cut,measure,value,baseline_mean,baseline_std,area_above_baseline"]
        for cut in report.cuts {
            lines += cut.comparison.csv(prefix: ["cut": cut.cut]).split(separator: "\n").dropFirst().map(String.init)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
