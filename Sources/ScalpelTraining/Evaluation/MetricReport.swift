// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import ScalpelMetrics

/// One metric: its value on the whole set and, when bootstrapped, a 95 % percentile interval. A
/// metric that is undefined on this set (AUROC with a class that has no sample) has no value and a
/// `note` saying why; nothing is silently replaced by a number.
public struct MetricValue: Sendable, Equatable, Codable {
    public var value: Double?
    public var lower: Double?
    public var upper: Double?
    public var note: String?

    public init(value: Double?, lower: Double? = nil, upper: Double? = nil, note: String? = nil) {
        self.value = value
        self.lower = lower
        self.upper = upper
        self.note = note
    }
}

/// Every metric of a task on one set of predictions, with MedMNIST's semantics:
///
/// - **binary**: AUROC and AUPRC (average precision) of the positive class's probability; accuracy,
///   balanced accuracy, F1, sensitivity and specificity at the 0.5 threshold; Cohen's κ; ECE.
/// - **multi-class / ordinal**: AUROC and AUPRC as the macro mean of one-vs-rest values, plus
///   micro AUROC; argmax accuracy, balanced accuracy, macro F1, κ (quadratic for ordinal tasks); ECE;
///   per-class sensitivity and specificity.
/// - **multi-label**: per-label AUROC and AUPRC and their means; accuracy at 0.5 averaged over labels.
///
/// Undefined cases (documented behaviour): when a class (or label) has no positive or no negative
/// sample, AUROC/AUPRC for a single-label task are reported without a value and with a note naming the
/// class; for multi-label tasks the mean runs over the labels where it is defined and the note lists
/// the labels left out. Confidence intervals come from `resamples` bootstrap resamples drawn within
/// each class (so every resample keeps the class counts), with a fixed seed.
public struct MetricReport: Sendable, Equatable, Codable {
    public var task: ClassificationTask
    public var sampleCount: Int
    public var classNames: [String]
    /// Samples (positives, for multi-label tasks) per class.
    public var classCounts: [Int]
    /// By metric name: `auroc`, `auprc`, `accuracy`, `balanced-accuracy`, `f1`, `sensitivity`, … .
    public var metrics: [String: MetricValue]
    /// Per-class values by metric name (`auroc`, `sensitivity`, `specificity`); nil where undefined.
    public var perClass: [String: [Double?]]
    /// Rows: true class; columns: predicted class (single-label tasks).
    public var confusionMatrix: [[Int]]?

    /// The value of `metric` (the mean loss is not part of the report and is passed separately).
    public func value(of metric: MonitoredMetric) -> Double? {
        metrics[metric.rawValue]?.value
    }

    public init(_ predictions: Predictions, resamples: Int = 0, seed: UInt64 = 0) throws {
        task = predictions.task
        sampleCount = predictions.count
        classNames = predictions.classNames
        metrics = [:]
        perClass = [:]
        confusionMatrix = nil
        let classes = classNames.count
        let scores = predictions.probabilities
        if task == .multiLabel {
            classCounts = (0..<classes).map { k in predictions.labels.filter { $0[k] == 1 }.count }
            try computeMultiLabel(scores: scores, labels: predictions.labels, resamples: resamples, seed: seed)
        } else {
            let labels = predictions.classLabels
            classCounts = (0..<classes).map { c in labels.filter { $0 == c }.count }
            try computeSingleLabel(scores: scores, labels: labels, resamples: resamples, seed: seed)
        }
    }

    private mutating func computeSingleLabel(scores: [[Double]], labels: [Int], resamples: Int, seed: UInt64) throws {
        let classes = classNames.count
        let binary = task == .binary && classes == 2
        let missing = classCounts.indices.filter { classCounts[$0] == 0 }.map { classNames[$0] }
        let undefinedNote = missing.isEmpty ? nil
            : "undefined: class \(missing.joined(separator: ", ")) has no sample in this set"
        let positive = scores.map { $0.count > 1 ? $0[1] : $0[0] }
        func pick<T>(_ indices: [Int], _ values: [T]) -> [T] { indices.map { values[$0] } }
        func predictions(_ indices: [Int]) throws -> [Int] {
            binary ? try ScalpelMetrics.predictions(scores: pick(indices, positive), threshold: 0.5)
                : try ScalpelMetrics.predictions(scores: pick(indices, scores))
        }
        var named: [(String, ([Int]) throws -> Double, Bool)] = []   // name, metric, needs every class
        if binary {
            named.append(("auroc", { try ScalpelMetrics.auroc(scores: pick($0, positive), labels: pick($0, labels)) }, true))
            named.append(("auprc", { try ScalpelMetrics.auprc(scores: pick($0, positive), labels: pick($0, labels)) }, true))
            named.append(("accuracy", { try ScalpelMetrics.accuracy(scores: pick($0, positive), labels: pick($0, labels)) }, false))
            named.append(("f1", { try ScalpelMetrics.f1(predictions: predictions($0), labels: pick($0, labels)) }, false))
            named.append(("sensitivity", { try ScalpelMetrics.sensitivity(predictions: predictions($0), labels: pick($0, labels)) }, false))
            named.append(("specificity", { try ScalpelMetrics.specificity(predictions: predictions($0), labels: pick($0, labels)) }, false))
        } else {
            named.append(("auroc", { try ScalpelMetrics.auroc(scores: pick($0, scores), labels: pick($0, labels)) }, true))
            named.append(("auroc-micro", { try ScalpelMetrics.auroc(scores: pick($0, scores), labels: pick($0, labels), average: .micro) }, true))
            named.append(("auprc", { try ScalpelMetrics.auprc(scores: pick($0, scores), labels: pick($0, labels)) }, true))
            named.append(("accuracy", { try ScalpelMetrics.accuracy(scores: pick($0, scores), labels: pick($0, labels)) }, false))
            named.append(("f1", { try ScalpelMetrics.macroF1(predictions: predictions($0), labels: pick($0, labels)) }, false))
        }
        named.append(("balanced-accuracy", { try ScalpelMetrics.balancedAccuracy(predictions: predictions($0), labels: pick($0, labels)) }, false))
        let weighting: ScalpelMetrics.KappaWeighting = task == .ordinal ? .quadratic : .unweighted
        named.append(("kappa", { try ScalpelMetrics.cohenKappa(predictions: predictions($0), labels: pick($0, labels),
                                                               classCount: classes, weighting: weighting) }, false))
        named.append(("ece", { try ScalpelMetrics.expectedCalibrationError(scores: pick($0, scores), labels: pick($0, labels)) }, false))

        for (name, metric, needsEveryClass) in named {
            if needsEveryClass, let undefinedNote {
                metrics[name] = MetricValue(value: nil, note: undefinedNote)
                continue
            }
            metrics[name] = Self.measure(metric, count: labels.count, strata: labels, resamples: resamples, seed: seed)
        }
        let all = Array(labels.indices)
        let predicted = try predictions(all)
        confusionMatrix = try ScalpelMetrics.confusionMatrix(predictions: predicted, labels: labels, classCount: classes)
        perClass["sensitivity"] = try ScalpelMetrics.sensitivityPerClass(predictions: predicted, labels: labels, classCount: classes)
        perClass["specificity"] = try ScalpelMetrics.specificityPerClass(predictions: predicted, labels: labels, classCount: classes)
        perClass["auroc"] = (0..<classes).map { c in
            try? ScalpelMetrics.auroc(scores: scores.map { $0[c] }, labels: labels.map { $0 == c ? 1 : 0 })
        }
    }

    private mutating func computeMultiLabel(scores: [[Double]], labels: [[Int]], resamples: Int, seed: UInt64) throws {
        let classes = classNames.count
        func pick<T>(_ indices: [Int], _ values: [T]) -> [T] { indices.map { values[$0] } }
        let perLabelAUROC = (0..<classes).map { k in
            try? ScalpelMetrics.auroc(scores: scores.map { $0[k] }, labels: labels.map { $0[k] })
        }
        let perLabelAUPRC = (0..<classes).map { k in
            try? ScalpelMetrics.auprc(scores: scores.map { $0[k] }, labels: labels.map { $0[k] })
        }
        perClass["auroc"] = perLabelAUROC
        perClass["auprc"] = perLabelAUPRC
        let defined = (0..<classes).filter { perLabelAUROC[$0] != nil }
        let left = (0..<classes).filter { perLabelAUROC[$0] == nil }.map { classNames[$0] }
        let note = left.isEmpty ? nil : "mean over \(defined.count) of \(classes) labels; undefined (one class only) for \(left.joined(separator: ", "))"
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        let ranking: [(String, (Int, [Double], [Int]) throws -> Double)] = [
            ("auroc", { _, s, y in try ScalpelMetrics.auroc(scores: s, labels: y) }),
            ("auprc", { _, s, y in try ScalpelMetrics.auprc(scores: s, labels: y) }),
        ]
        for (name, metric) in ranking {
            guard !defined.isEmpty else {
                metrics[name] = MetricValue(value: nil, note: "undefined: no label has both positive and negative samples")
                continue
            }
            var value = Self.measure({ indices in
                mean(try defined.map { k in try metric(k, pick(indices, scores).map { $0[k] }, pick(indices, labels).map { $0[k] }) })
            }, count: labels.count, strata: nil, resamples: resamples, seed: seed)
            value.note = note
            metrics[name] = value
        }
        metrics["accuracy"] = Self.measure({ indices in
            try ScalpelMetrics.accuracy(scores: pick(indices, scores), labels: pick(indices, labels))
        }, count: labels.count, strata: nil, resamples: resamples, seed: seed)
    }

    /// The metric on every sample, with a bootstrap interval when `resamples` > 0; a metric that
    /// throws on the whole set is reported without a value and with the reason.
    private static func measure(_ metric: ([Int]) throws -> Double, count: Int, strata: [Int]?, resamples: Int,
                                seed: UInt64) -> MetricValue {
        do {
            guard resamples > 0 else { return MetricValue(value: try metric(Array(0..<count))) }
            let interval = try ScalpelMetrics.bootstrap(sampleCount: count, resamples: resamples, seed: seed,
                                                        stratifyBy: strata, metric: metric)
            return MetricValue(value: interval.estimate, lower: interval.lower, upper: interval.upper)
        } catch let error as MetricError {
            return MetricValue(value: nil, note: "undefined: \(error.message)")
        } catch {
            return MetricValue(value: nil, note: "undefined: \(error)")
        }
    }
}
