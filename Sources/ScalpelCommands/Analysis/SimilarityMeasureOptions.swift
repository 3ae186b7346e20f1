// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelAnalysis

/// The options every similarity analysis shares: which measures, with which reference parameters.
struct SimilarityMeasureOptions: ParsableArguments {
    @Option(help: "Comma-separated measures: \(SimilarityMeasure.allCases.map(\.rawValue).joined(separator: ", ")) (default: all).")
    var measures: String = SimilarityMeasure.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "SVCCA's SVD step: a fraction of the variance to keep (0.99) or a number of directions (20).")
    var svdKeep: String = "0.99"

    @Option(help: "google/svcca's epsilon: neurons with less (scaled) variance are dropped; added to the diagonals.")
    var epsilon: Double = 1e-10

    @Option(help: "RBF CKA bandwidth as a fraction of the median distance.")
    var rbfThreshold: Double = 0.5

    @Option(help: "RBF CKA runs on a uniform sample of at most this many datapoints (n × n kernel; at most \(SimilarityOptions.largestRBFSampleCap)).")
    var rbfSampleCap: Int = 2048

    @Option(help: "Random-baseline draws (independent Gaussians of the same shapes); 0 for none.")
    var baselineDraws: Int = 5

    @Option(help: "Convolutional maps: automatic (fold positions into datapoints when both maps have the same size, else pool to the smaller, then fold), fold, or pool (one datapoint per image).")
    var spatial: SpatialHandling = .automatic

    func validate() throws {
        _ = try options(seed: 0)
        guard (0 ... 100).contains(baselineDraws) else { throw ValidationError("--baseline-draws must be in 0...100, got \(baselineDraws).") }
    }

    func options(seed: UInt64) throws -> SimilarityOptions {
        var options = SimilarityOptions()
        var chosen = Set<SimilarityMeasure>()
        for name in measures.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let measure = SimilarityMeasure(rawValue: name) else {
                throw ValidationError("--measures: unknown measure '\(name)'; choose from \(SimilarityMeasure.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            chosen.insert(measure)
        }
        guard !chosen.isEmpty else { throw ValidationError("--measures is empty.") }
        options.measures = chosen
        if let count = Int(svdKeep) {
            guard count > 0 else { throw ValidationError("--svd-keep must be a fraction in (0, 1] or a positive count, got \(svdKeep).") }
            options.svdKeep = .count(count)
        } else if let fraction = Double(svdKeep), fraction > 0, fraction <= 1 {
            options.svdKeep = .variance(fraction)
        } else {
            throw ValidationError("--svd-keep must be a fraction in (0, 1] or a positive count, got \(svdKeep).")
        }
        guard epsilon >= 0, epsilon.isFinite else { throw ValidationError("--epsilon must be >= 0.") }
        options.epsilon = epsilon
        guard rbfThreshold > 0, rbfThreshold.isFinite else { throw ValidationError("--rbf-threshold must be > 0.") }
        options.rbfThreshold = rbfThreshold
        guard (4 ... SimilarityOptions.largestRBFSampleCap).contains(rbfSampleCap) else {
            throw ValidationError("--rbf-sample-cap must be in 4...\(SimilarityOptions.largestRBFSampleCap), got \(rbfSampleCap).")
        }
        options.rbfSampleCap = rbfSampleCap
        options.seed = seed
        return options
    }
}

extension SpatialHandling: ExpressibleByArgument {}
