// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch

/// Two representations compared by every chosen measure, next to the random baseline of the same shapes.
public struct SimilarityComparison: Codable, Sendable, Equatable {
    public var scores: SimilarityScores
    public var baseline: RandomBaseline?
    /// Area between the sorted coefficient curve and the baseline's, on the normalised index (TTL Fig. 4),
    /// for "cca" and "svcca".
    public var areaAboveBaseline: [String: Double]
    /// Measures not computed and why (e.g. CCA with fewer datapoints than features).
    public var skipped: [String: String]

    /// Compares `x` [n, Dx] and `y` [n, Dy] (folded or pooled already), streaming `chunk` rows at a time.
    /// CCA-based measures are skipped with a note, not an error, when `skipCCAWhenTooFewDatapoints` and
    /// n ≤ max(Dx, Dy); otherwise that is an error raised before any work.
    public static func compare(_ x: Tensor, _ y: Tensor, options: SimilarityOptions, baselineDraws: Int = 5,
                               seed: UInt64 = 0, skipCCAWhenTooFewDatapoints: Bool = false,
                               chunk: Int = 8192) throws -> SimilarityComparison {
        guard x.rank == 2, y.rank == 2 else {
            throw SimilarityError("compare takes [datapoints, features]; got \(x.shape) and \(y.shape); fold or pool maps first")
        }
        guard x.shape[0] == y.shape[0] else { throw SimilarityError.datapointMismatch(x.shape[0], y.shape[0], "features") }
        let (usable, skipped) = try usableOptions(options, datapoints: x.shape[0], featuresX: x.shape[1], featuresY: y.shape[1],
                                                  skipCCA: skipCCAWhenTooFewDatapoints)
        let accumulator = try SimilarityAccumulator(options: usable)
        var start = 0
        while start < x.shape[0] {
            let end = min(start + chunk, x.shape[0])
            try accumulator.add(try x.slice(axis: 0, start: start, end: end), try y.slice(axis: 0, start: start, end: end))
            start = end
        }
        return try finish(try accumulator.scores(), options: usable, skipped: skipped, baselineDraws: baselineDraws, seed: seed)
    }

    /// Drops the CCA-based measures (with the reason) when there are too few datapoints and `skipCCA`,
    /// or throws ``SimilarityError`` naming the problem and the fix.
    public static func usableOptions(_ options: SimilarityOptions, datapoints: Int, featuresX: Int, featuresY: Int,
                                     skipCCA: Bool) throws -> (SimilarityOptions, skipped: [String: String]) {
        var usable = options
        var skipped: [String: String] = [:]
        let widest = max(featuresX, featuresY)
        let cca = options.measures.filter(\.isCCA)
        if !cca.isEmpty, datapoints <= widest {
            guard skipCCA else {
                throw SimilarityError.tooFewDatapointsForCCA(datapoints: datapoints, features: widest,
                                                             cca.sorted().map(\.rawValue).joined(separator: ", "))
            }
            for measure in cca { skipped[measure.rawValue] = "\(datapoints) datapoints for \(widest) features: CCA needs more datapoints than features" }
            usable.measures.subtract(cca)
            if usable.measures.isEmpty { usable.measures = [.linearCKA] }
        }
        return (usable, skipped)
    }

    /// Adds the baseline of the same shapes and the areas between curves to finished scores.
    public static func finish(_ scores: SimilarityScores, options: SimilarityOptions, skipped: [String: String] = [:],
                              baselineDraws: Int, seed: UInt64) throws -> SimilarityComparison {
        var comparison = SimilarityComparison(scores: scores, baseline: nil, areaAboveBaseline: [:], skipped: skipped)
        guard baselineDraws > 0 else { return comparison }
        let baseline = try RandomBaseline.draw(datapoints: scores.datapoints, featuresX: scores.featuresX,
                                               featuresY: scores.featuresY, options: options, count: baselineDraws, seed: seed)
        comparison.baseline = baseline
        if let curve = scores.cca?.coefficients, let reference = baseline.ccaCurve {
            comparison.areaAboveBaseline["cca"] = CoefficientCurve.areaBetween(curve, reference)
        }
        if let curve = scores.svcca?.coefficients, let reference = baseline.svccaCurve {
            comparison.areaAboveBaseline["svcca"] = CoefficientCurve.areaBetween(curve, reference)
        }
        return comparison
    }

    /// `measure,value,baseline_mean,baseline_std` rows (CSV with a header), one per computed measure.
    public func csv(prefix: [String: String] = [:]) -> String {
        let keys = prefix.keys.sorted()
        var lines = [CSVWriter.row(keys + ["measure", "value", "baseline_mean", "baseline_std", "area_above_baseline"])]
        for measure in SimilarityMeasure.allCases {
            guard let value = scores.value(measure) else { continue }
            let level = baseline?.summary[measure.rawValue]
            let fields = keys.map { prefix[$0]! } + [measure.rawValue, Self.format(value), level.map { Self.format($0.mean) } ?? "",
                                                     level.map { Self.format($0.standardDeviation) } ?? "",
                                                     areaAboveBaseline[measure.rawValue].map(Self.format) ?? ""]
            lines.append(CSVWriter.row(fields))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A short human-readable table, one line per measure.
    public func summaryLines() -> [String] {
        var lines: [String] = []
        for measure in SimilarityMeasure.allCases {
            guard let value = scores.value(measure) else {
                if let reason = skipped[measure.rawValue] { lines.append("\(measure.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) skipped: \(reason)") }
                continue
            }
            var line = "\(measure.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(String(format: "%.5f", value))"
            if let level = baseline?.summary[measure.rawValue] {
                line += String(format: "   random %.5f ± %.5f", level.mean, level.standardDeviation)
            }
            if let area = areaAboveBaseline[measure.rawValue] { line += String(format: "   area above random %.4f", area) }
            if measure == .svcca, let svcca = scores.svcca { line += "   (\(svcca.keptX) and \(svcca.keptY) SVD directions)" }
            if measure == .rbfCKA, let sample = scores.rbfDatapoints, sample < scores.datapoints { line += "   (sample of \(sample))" }
            lines.append(line)
        }
        return lines
    }

    static func format(_ value: Double) -> String { String(format: "%.8g", value) }
}
