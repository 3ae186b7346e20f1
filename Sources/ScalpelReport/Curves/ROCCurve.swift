// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelMetrics
import ScalpelRandom

/// ROC and precision–recall curves of one score against binary labels, with percentile-bootstrap
/// bands on a fixed grid.
public enum ROCCurve {
    /// The ROC curve: (false-positive rate, true-positive rate) after each distinct threshold, from
    /// (0, 0) to (1, 1), tied scores taken together (as scikit-learn's `roc_curve` without dropping points).
    public static func roc(scores: [Double], labels: [Int]) -> [Chart.Point] {
        let (positives, negatives, steps) = sweep(scores: scores, labels: labels)
        guard positives > 0, negatives > 0 else { return [] }
        return [Chart.Point(0, 0)] + steps.map { Chart.Point(Double($0.falsePositives) / Double(negatives),
                                                             Double($0.truePositives) / Double(positives)) }
    }

    /// The precision–recall curve: (recall, precision) after each distinct threshold, highest threshold first.
    public static func precisionRecall(scores: [Double], labels: [Int]) -> [Chart.Point] {
        let (positives, _, steps) = sweep(scores: scores, labels: labels)
        guard positives > 0 else { return [] }
        let first = steps.first.map { Double($0.truePositives) / Double($0.truePositives + $0.falsePositives) } ?? 1
        return [Chart.Point(0, first)] + steps.map {
            Chart.Point(Double($0.truePositives) / Double(positives),
                        Double($0.truePositives) / Double($0.truePositives + $0.falsePositives))
        }
    }

    /// Counts after each distinct threshold, scores descending.
    static func sweep(scores: [Double], labels: [Int]) -> (Int, Int, [(truePositives: Int, falsePositives: Int)]) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = labels.filter { $0 == 1 }.count, negatives = labels.count - positives
        var steps: [(truePositives: Int, falsePositives: Int)] = []
        var tp = 0, fp = 0
        for (rank, index) in order.enumerated() {
            if labels[index] == 1 { tp += 1 } else { fp += 1 }
            if rank + 1 == order.count || scores[order[rank + 1]] != scores[index] { steps.append((tp, fp)) }
        }
        return (positives, negatives, steps)
    }

    /// The curve's y at each grid x: ROC — the highest TPR reached at FPR ≤ x (a step function);
    /// PR — the highest precision at recall ≥ x (the interpolated precision).
    public static func onGrid(_ curve: [Chart.Point], grid: [Double], kind: Kind) -> [Double] {
        // Both curves run with x non-decreasing, so one pass with a pointer serves the whole (sorted) grid.
        var result: [Double] = []
        result.reserveCapacity(grid.count)
        switch kind {
        case .roc:
            var index = 0, best = 0.0
            for x in grid {
                while index < curve.count, curve[index].x <= x + 1e-12 { best = max(best, curve[index].y); index += 1 }
                result.append(best)
            }
        case .precisionRecall:
            var suffixMaximum = [Double](repeating: 0, count: curve.count + 1)
            for index in stride(from: curve.count - 1, through: 0, by: -1) {
                suffixMaximum[index] = max(suffixMaximum[index + 1], curve[index].y)
            }
            var index = 0
            for x in grid {
                while index < curve.count, curve[index].x < x - 1e-12 { index += 1 }
                result.append(suffixMaximum[index])
            }
        }
        return result
    }

    public enum Kind: Sendable { case roc, precisionRecall }

    /// The curve on `grid` and its 95 % percentile band over `resamples` bootstrap resamples drawn
    /// within each class (the class counts stay fixed), with a fixed seed.
    public static func band(scores: [Double], labels: [Int], kind: Kind, grid: [Double], resamples: Int, seed: UInt64)
        -> (values: [Double], lower: [Double], upper: [Double]) {
        let curve = { (s: [Double], l: [Int]) in kind == .roc ? roc(scores: s, labels: l) : precisionRecall(scores: s, labels: l) }
        let values = onGrid(curve(scores, labels), grid: grid, kind: kind)
        let groups = [labels.indices.filter { labels[$0] == 1 }, labels.indices.filter { labels[$0] != 1 }]
        guard resamples > 0, groups.allSatisfy({ !$0.isEmpty }) else { return (values, values, values) }
        var generator = SplitMix64(seed: seed)
        var samples = [[Double]](repeating: [], count: grid.count)
        for _ in 0..<resamples {
            var indices: [Int] = []
            for group in groups { for _ in group.indices { indices.append(group[generator.below(group.count)]) } }
            let resampled = onGrid(curve(indices.map { scores[$0] }, indices.map { labels[$0] }), grid: grid, kind: kind)
            for (position, value) in resampled.enumerated() { samples[position].append(value) }
        }
        return (values, samples.map { percentile($0, 2.5) }, samples.map { percentile($0, 97.5) })
    }

    /// NumPy's default (linear) percentile.
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let position = q / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }
}
