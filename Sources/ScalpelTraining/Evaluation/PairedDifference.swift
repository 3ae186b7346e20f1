// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelMetrics

/// How much a metric changes between two sets of predictions on the same samples — bf16 against
/// fp32 inference, fused against unfused, one run against another — with a paired bootstrap
/// interval: every resample draws the same samples for both sides (stratified by class for
/// single-label tasks, as ``MetricReport`` does), so the interval is that of the difference itself.
public struct PairedDifference: Sendable, Equatable, Codable {
    /// `auroc` or `accuracy`, defined as in ``MetricReport``.
    public var metric: String
    public var reference: Double
    public var candidate: Double
    /// `candidate − reference` with its percentile interval (nil bounds without resamples).
    public var difference: MetricValue

    /// The AUROC and accuracy differences `candidate − reference`.
    ///
    /// - Throws: ``TrainingError/data(_:)`` when the two do not cover the same samples in the same
    ///   order with the same labels and classes.
    public static func compare(reference: Predictions, candidate: Predictions, resamples: Int = 1000,
                               seed: UInt64 = 0) throws -> [PairedDifference] {
        guard reference.sampleIDs == candidate.sampleIDs, reference.labels == candidate.labels,
              reference.classNames == candidate.classNames, reference.task == candidate.task else {
            throw TrainingError.data("paired comparison: the two predictions are not of the same samples, labels and classes")
        }
        guard reference.count > 0 else { throw TrainingError.data("paired comparison: no samples") }
        let strata = reference.task == .multiLabel ? nil : reference.classLabels
        var results: [PairedDifference] = []
        for name in ["auroc", "accuracy"] {
            let a = Self.metric(name, of: reference), b = Self.metric(name, of: candidate)
            let whole = Array(0..<reference.count)
            guard let valueA = try? a(whole), let valueB = try? b(whole) else { continue }
            var difference = MetricValue(value: valueB - valueA)
            if resamples > 0, let interval = try? ScalpelMetrics.bootstrap(
                sampleCount: reference.count, resamples: resamples, seed: seed, stratifyBy: strata,
                metric: { try b($0) - a($0) }) {
                difference.lower = interval.lower
                difference.upper = interval.upper
            }
            results.append(PairedDifference(metric: name, reference: valueA, candidate: valueB, difference: difference))
        }
        return results
    }

    /// `name` on the samples at the given indices: binary tasks score the positive class; multi-class
    /// AUROC is the one-vs-rest macro mean; multi-label AUROC the mean over labels, accuracy per element.
    private static func metric(_ name: String, of predictions: Predictions) -> ([Int]) throws -> Double {
        let scores = predictions.probabilities
        func pick<T>(_ indices: [Int], _ values: [T]) -> [T] { indices.map { values[$0] } }
        switch predictions.task {
        case .multiLabel:
            let labels = predictions.labels
            if name == "accuracy" { return { try ScalpelMetrics.accuracy(scores: pick($0, scores), labels: pick($0, labels)) } }
            return { indices in
                let perLabel = (0..<predictions.classNames.count).compactMap { k in
                    try? ScalpelMetrics.auroc(scores: pick(indices, scores).map { $0[k] }, labels: pick(indices, labels).map { $0[k] })
                }
                guard !perLabel.isEmpty else { throw MetricError(.undefined, "no label has both classes") }
                return perLabel.reduce(0, +) / Double(perLabel.count)
            }
        default:
            let labels = predictions.classLabels
            if predictions.task == .binary, predictions.classNames.count == 2 {
                let positive = scores.map { $0.count > 1 ? $0[1] : $0[0] }
                if name == "accuracy" { return { try ScalpelMetrics.accuracy(scores: pick($0, positive), labels: pick($0, labels)) } }
                return { try ScalpelMetrics.auroc(scores: pick($0, positive), labels: pick($0, labels)) }
            }
            if name == "accuracy" { return { try ScalpelMetrics.accuracy(scores: pick($0, scores), labels: pick($0, labels)) } }
            return { try ScalpelMetrics.auroc(scores: pick($0, scores), labels: pick($0, labels)) }
        }
    }
}
