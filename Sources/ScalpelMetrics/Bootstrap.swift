// Scalpel — ScalpelMetrics
// SPDX-License-Identifier: Apache-2.0
import ScalpelRandom


/// A point estimate with a bootstrap confidence interval.
public struct ConfidenceInterval: Sendable, Equatable {
    /// The metric on the full sample.
    public let estimate: Double
    /// The lower percentile bound.
    public let lower: Double
    /// The upper percentile bound.
    public let upper: Double
    /// The resamples on which the metric was defined (the others, e.g. single-class resamples, are skipped).
    public let validResamples: Int
}

extension ScalpelMetrics {
    /// A percentile-bootstrap confidence interval for any metric.
    ///
    /// Draws `resamples` samples of `sampleCount` indices with replacement from a ``SplitMix64`` seeded with
    /// `seed` — within each class separately when `stratifyBy` labels are given, keeping the class counts —
    /// and evaluates `metric` on each index set. Resamples where `metric` throws are skipped (counted in
    /// `validResamples`). The bounds are the (1 − confidence)/2 and (1 + confidence)/2 quantiles of the
    /// resampled values with linear interpolation (NumPy's default `percentile`). The same seed gives the
    /// same interval.
    /// - Parameter metric: the metric evaluated on a list of sample indices (possibly repeated).
    /// - Throws: ``MetricError`` for invalid arguments, the metric's error on the full sample, and
    ///   `.undefined` when the metric failed on every resample.
    public static func bootstrap(sampleCount: Int, resamples: Int = 1000, confidence: Double = 0.95,
                                 seed: UInt64 = 0, stratifyBy labels: [Int]? = nil,
                                 metric: ([Int]) throws -> Double) throws -> ConfidenceInterval {
        guard sampleCount > 0 else { throw MetricError(.empty, "bootstrap: no samples") }
        guard resamples > 0 else { throw MetricError(.invalidArgument, "bootstrap: resamples \(resamples) < 1") }
        guard confidence > 0, confidence < 1 else {
            throw MetricError(.invalidArgument, "bootstrap: confidence \(confidence) is not in (0, 1)")
        }
        var groups: [[Int]] = [Array(0..<sampleCount)]
        if let labels {
            guard labels.count == sampleCount else {
                throw MetricError(.lengthMismatch, "bootstrap: \(labels.count) strata labels but \(sampleCount) samples")
            }
            let keys = Set(labels).sorted()
            groups = keys.map { k in labels.indices.filter { labels[$0] == k } }
        }
        let estimate = try metric(Array(0..<sampleCount))
        var rng = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var indices: [Int] = []
            indices.reserveCapacity(sampleCount)
            for group in groups {
                for _ in group.indices { indices.append(group[rng.below(group.count)]) }
            }
            if let value = try? metric(indices), value.isFinite { values.append(value) }
        }
        guard !values.isEmpty else { throw MetricError(.undefined, "bootstrap: the metric failed on every resample") }
        values.sort()
        return ConfidenceInterval(estimate: estimate, lower: quantile(values, (1 - confidence) / 2),
                                  upper: quantile(values, (1 + confidence) / 2), validResamples: values.count)
    }

    /// The q-quantile of sorted values with linear interpolation between order statistics.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
