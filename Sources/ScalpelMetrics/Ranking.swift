// Scalpel — ScalpelMetrics
// SPDX-License-Identifier: Apache-2.0

/// Cumulative true/false positive counts at each distinct score, from the highest score down
/// (tied scores form one step, as scikit-learn's `_binary_clf_curve`).
struct RankCurve {
    var tps: [Int] = []
    var fps: [Int] = []

    init(_ scores: [Double], _ labels: [Int]) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0, fp = 0
        for (k, i) in order.enumerated() {
            if labels[i] == 1 { tp += 1 } else { fp += 1 }
            if k == order.count - 1 || scores[order[k + 1]] != scores[i] {
                tps.append(tp)
                fps.append(fp)
            }
        }
    }
}

extension ScalpelMetrics {
    /// Binary area under the ROC curve, as scikit-learn's `roc_auc_score`: the trapezoid rule over the ROC
    /// points, tied scores grouped into one point.
    /// - Throws: ``MetricError`` for invalid input, and `.undefined` (naming the missing class) when
    ///   only one class is present in `labels`.
    public static func auroc(scores: [Double], labels: [Int]) throws -> Double {
        try checkBinary(scores, labels, "auroc")
        try checkBothClasses(labels, "auroc")
        return binaryAUROC(scores, labels)
    }

    /// Binary average precision, exactly as scikit-learn's `average_precision_score`:
    /// AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct thresholds (step-wise, no interpolation, no trapezoid).
    /// - Throws: ``MetricError``; `.undefined` when no positive (or no negative) label is present.
    ///   (scikit-learn warns and returns a degenerate value without positives; Scalpel refuses.)
    public static func auprc(scores: [Double], labels: [Int]) throws -> Double {
        try checkBinary(scores, labels, "auprc")
        try checkBothClasses(labels, "auprc")
        return binaryAP(scores, labels)
    }

    /// Which averaging a multi-class AUROC uses.
    public enum Averaging: Sendable {
        /// Mean of the one-vs-rest AUROCs of each class (MedMNIST's AUC for multi-class and ordinal tasks).
        case macro
        /// One AUROC over all (sample, class) pairs of the one-hot labels and the scores.
        case micro
    }

    /// Multi-class one-vs-rest AUROC from N × C probabilities (scikit-learn's
    /// `roc_auc_score(multi_class="ovr", average=…)`).
    /// - Throws: ``MetricError``; `.undefined` naming the class when a class never occurs in `labels`
    ///   (its one-vs-rest AUROC has no positives).
    public static func auroc(scores: [[Double]], labels: [Int], average: Averaging = .macro) throws -> Double {
        let classes = try checkMatrix(scores, labels, "auroc")
        try checkAllClasses(labels, classes, "auroc")
        switch average {
        case .macro:
            return (0..<classes).map { c in binaryAUROC(column(scores, c), labels.map { $0 == c ? 1 : 0 }) }
                .reduce(0, +) / Double(classes)
        case .micro:
            let flat = scores.flatMap { $0 }
            let hot = labels.flatMap { y in (0..<classes).map { $0 == y ? 1 : 0 } }
            return binaryAUROC(flat, hot)
        }
    }

    /// Multi-class macro average precision: the mean of the one-vs-rest APs
    /// (scikit-learn's `average_precision_score(labels, scores, average="macro")`).
    /// - Throws: ``MetricError``; `.undefined` naming the class when a class never occurs in `labels`.
    public static func auprc(scores: [[Double]], labels: [Int]) throws -> Double {
        let classes = try checkMatrix(scores, labels, "auprc")
        try checkAllClasses(labels, classes, "auprc")
        return (0..<classes).map { c in binaryAP(column(scores, c), labels.map { $0 == c ? 1 : 0 }) }
            .reduce(0, +) / Double(classes)
    }

    /// Multi-label AUROC of each label (N × L scores and 0/1 labels).
    /// - Throws: ``MetricError``; `.undefined` naming the label whose column holds only one class.
    public static func aurocPerLabel(scores: [[Double]], labels: [[Int]]) throws -> [Double] {
        try perLabel(scores, labels, "auroc", binaryAUROC)
    }

    /// Multi-label macro AUROC: the mean of ``aurocPerLabel(scores:labels:)`` (MedMNIST's AUC for ChestMNIST).
    public static func auroc(scores: [[Double]], labels: [[Int]]) throws -> Double {
        let per = try aurocPerLabel(scores: scores, labels: labels)
        return per.reduce(0, +) / Double(per.count)
    }

    /// Multi-label macro AUROC that skips undefined labels (a column with only one class) instead of
    /// throwing; `nil` when no label is defined. scikit-learn's `roc_auc_score` would raise instead.
    /// - Throws: ``MetricError`` only for invalid input.
    public static func aurocSkippingUndefined(scores: [[Double]], labels: [[Int]]) throws -> Double? {
        let count = try checkMultiLabel(scores, labels, "auroc")
        let defined = (0..<count).compactMap { k -> Double? in
            let y = labels.map { $0[k] }
            guard y.contains(0), y.contains(1) else { return nil }
            return binaryAUROC(column(scores, k), y)
        }
        return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }

    /// Multi-label average precision of each label.
    public static func auprcPerLabel(scores: [[Double]], labels: [[Int]]) throws -> [Double] {
        try perLabel(scores, labels, "auprc", binaryAP)
    }

    /// Multi-label macro average precision: the mean of ``auprcPerLabel(scores:labels:)``.
    public static func auprc(scores: [[Double]], labels: [[Int]]) throws -> Double {
        let per = try auprcPerLabel(scores: scores, labels: labels)
        return per.reduce(0, +) / Double(per.count)
    }

    // MARK: - Kernels (validated input)

    static func binaryAUROC(_ scores: [Double], _ labels: [Int]) -> Double {
        let curve = RankCurve(scores, labels)
        var area = 0.0, lastTP = 0, lastFP = 0
        for (tp, fp) in zip(curve.tps, curve.fps) {
            area += Double(fp - lastFP) * Double(tp + lastTP) / 2
            (lastTP, lastFP) = (tp, fp)
        }
        return area / (Double(lastTP) * Double(lastFP))
    }

    static func binaryAP(_ scores: [Double], _ labels: [Int]) -> Double {
        let curve = RankCurve(scores, labels)
        let positives = Double(curve.tps.last ?? 0)
        var ap = 0.0, lastTP = 0
        for (tp, fp) in zip(curve.tps, curve.fps) {
            ap += Double(tp - lastTP) / positives * (Double(tp) / Double(tp + fp))
            lastTP = tp
        }
        return ap
    }

    static func checkBothClasses(_ labels: [Int], _ what: String) throws {
        if !labels.contains(1) {
            throw MetricError(.undefined, "\(what): class 1 (positive) is missing from the labels; only class 0 is present")
        }
        if !labels.contains(0) {
            throw MetricError(.undefined, "\(what): class 0 (negative) is missing from the labels; only class 1 is present")
        }
    }

    static func checkAllClasses(_ labels: [Int], _ classes: Int, _ what: String) throws {
        var seen = [Bool](repeating: false, count: classes)
        for y in labels { seen[y] = true }
        if let c = seen.firstIndex(of: false) {
            throw MetricError(.undefined, "\(what): class \(c) is missing from the labels; its one-vs-rest curve is undefined")
        }
        if labels.count < 2 { throw MetricError(.undefined, "\(what): need samples of at least two classes") }
    }

    static func perLabel(_ scores: [[Double]], _ labels: [[Int]], _ what: String,
                         _ kernel: ([Double], [Int]) -> Double) throws -> [Double] {
        let count = try checkMultiLabel(scores, labels, what)
        return try (0..<count).map { k in
            let y = labels.map { $0[k] }
            guard y.contains(1) else { throw MetricError(.undefined, "\(what): label \(k) has no positive samples (class 1 missing)") }
            guard y.contains(0) else { throw MetricError(.undefined, "\(what): label \(k) has no negative samples (class 0 missing)") }
            return kernel(column(scores, k), y)
        }
    }
}
