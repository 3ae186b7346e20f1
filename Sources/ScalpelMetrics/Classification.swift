// Scalpel — ScalpelMetrics
// SPDX-License-Identifier: Apache-2.0

extension ScalpelMetrics {
    // MARK: - Predictions and accuracy (MedMNIST semantics)

    /// Hard predictions from binary scores: `1` where score > `threshold` (strictly), else `0`.
    public static func predictions(scores: [Double], threshold: Double = 0.5) throws -> [Int] {
        guard !scores.isEmpty else { throw MetricError(.empty, "predictions: no samples") }
        if let i = scores.firstIndex(where: { !$0.isFinite }) {
            throw MetricError(.nonFiniteScore, "predictions: score \(i) is \(scores[i])")
        }
        return scores.map { $0 > threshold ? 1 : 0 }
    }

    /// Hard predictions from N × C scores: the arg-max of each row (the first index on ties, as NumPy).
    public static func predictions(scores: [[Double]]) throws -> [Int] {
        _ = try checkRows(scores, scores.count, "predictions")
        return scores.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! }
    }

    /// Binary accuracy: the fraction of samples with (score > `threshold`) == label (MedMNIST: threshold 0.5).
    public static func accuracy(scores: [Double], labels: [Int], threshold: Double = 0.5) throws -> Double {
        try checkBinary(scores, labels, "accuracy")
        return try accuracy(predictions: predictions(scores: scores, threshold: threshold), labels: labels)
    }

    /// Multi-class accuracy: the fraction of samples whose arg-max score is the label.
    public static func accuracy(scores: [[Double]], labels: [Int]) throws -> Double {
        try checkMatrix(scores, labels, "accuracy")
        return try accuracy(predictions: predictions(scores: scores), labels: labels)
    }

    /// Multi-label accuracy as MedMNIST's evaluator: each label is predicted positive where its score >
    /// `threshold`; the accuracy of each label over the samples is averaged over the labels (equal to the
    /// mean over all N × L decisions).
    public static func accuracy(scores: [[Double]], labels: [[Int]], threshold: Double = 0.5) throws -> Double {
        let count = try checkMultiLabel(scores, labels, "accuracy")
        var total = 0.0
        for k in 0..<count {
            let hits = zip(scores, labels).filter { ($0[k] > threshold ? 1 : 0) == $1[k] }.count
            total += Double(hits) / Double(labels.count)
        }
        return total / Double(count)
    }

    /// Accuracy of hard predictions: the fraction of equal entries.
    public static func accuracy(predictions: [Int], labels: [Int]) throws -> Double {
        try checkPairs(predictions, labels, "accuracy")
        return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    // MARK: - Confusion-matrix metrics

    /// The C × C confusion matrix: `m[t][p]` counts samples of true class `t` predicted as `p`
    /// (scikit-learn's orientation). `classCount` defaults to 1 + the largest label or prediction.
    public static func confusionMatrix(predictions: [Int], labels: [Int], classCount: Int? = nil) throws -> [[Int]] {
        try checkPairs(predictions, labels, "confusionMatrix")
        let classes = classCount ?? (max(predictions.max()!, labels.max()!) + 1)
        guard classes >= 1 else { throw MetricError(.invalidArgument, "confusionMatrix: classCount \(classes) < 1") }
        try checkLabels(labels, classes, "confusionMatrix (labels)")
        try checkLabels(predictions, classes, "confusionMatrix (predictions)")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predictions, labels) { m[t][p] += 1 }
        return m
    }

    /// Balanced accuracy (scikit-learn's `balanced_accuracy_score`): the mean recall over the classes
    /// present in `labels` (classes that occur only among the predictions are not averaged).
    public static func balancedAccuracy(predictions: [Int], labels: [Int]) throws -> Double {
        let m = try confusionMatrix(predictions: predictions, labels: labels)
        let recalls = m.indices.compactMap { c -> Double? in
            let support = m[c].reduce(0, +)
            return support == 0 ? nil : Double(m[c][c]) / Double(support)
        }
        return recalls.reduce(0, +) / Double(recalls.count)
    }

    /// Binary F1 of the positive class 1: 2TP / (2TP + FP + FN); `0` when TP + FP + FN = 0
    /// (scikit-learn's default `zero_division`).
    public static func f1(predictions: [Int], labels: [Int]) throws -> Double {
        try checkPairs(predictions, labels, "f1")
        try checkLabels(labels, 2, "f1 (labels)")
        try checkLabels(predictions, 2, "f1 (predictions)")
        return f1(of: 1, try confusionMatrix(predictions: predictions, labels: labels, classCount: 2))
    }

    /// Macro F1: the mean per-class F1 over the classes that occur in `labels` or `predictions`
    /// (scikit-learn's `f1_score(average="macro")`).
    public static func macroF1(predictions: [Int], labels: [Int]) throws -> Double {
        let m = try confusionMatrix(predictions: predictions, labels: labels)
        let present = m.indices.filter { c in m[c].reduce(0, +) + m.reduce(0) { $0 + $1[c] } > 0 }
        return present.map { f1(of: $0, m) }.reduce(0, +) / Double(present.count)
    }

    /// Binary sensitivity (recall of class 1): TP / (TP + FN).
    /// - Throws: `.undefined` when no positive label is present.
    public static func sensitivity(predictions: [Int], labels: [Int]) throws -> Double {
        try binaryRecall(predictions, labels, of: 1, "sensitivity")
    }

    /// Binary specificity (recall of class 0): TN / (TN + FP).
    /// - Throws: `.undefined` when no negative label is present.
    public static func specificity(predictions: [Int], labels: [Int]) throws -> Double {
        try binaryRecall(predictions, labels, of: 0, "specificity")
    }

    /// One-vs-rest sensitivity of each class `0..<classCount`; `nil` for a class absent from `labels`.
    public static func sensitivityPerClass(predictions: [Int], labels: [Int], classCount: Int) throws -> [Double?] {
        let m = try confusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        return m.indices.map { c in
            let support = m[c].reduce(0, +)
            return support == 0 ? nil : Double(m[c][c]) / Double(support)
        }
    }

    /// One-vs-rest specificity of each class: TN / (TN + FP); `nil` where every label is that class.
    public static func specificityPerClass(predictions: [Int], labels: [Int], classCount: Int) throws -> [Double?] {
        let m = try confusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        let n = labels.count
        return m.indices.map { c in
            let positives = m[c].reduce(0, +)
            let fp = m.reduce(0) { $0 + $1[c] } - m[c][c]
            let negatives = n - positives
            return negatives == 0 ? nil : Double(negatives - fp) / Double(negatives)
        }
    }

    /// Weighting of Cohen's κ.
    public enum KappaWeighting: Sendable {
        /// Every disagreement weighs 1.
        case unweighted
        /// A disagreement between classes i and j weighs (i − j)², for ordinal labels (e.g. RetinaMNIST grades).
        case quadratic
    }

    /// Cohen's κ between predictions and labels: 1 − Σ w·O / Σ w·E with O the observed confusion matrix,
    /// E the outer product of its marginals / N. Quadratic weights use the class values `0..<classCount`
    /// (as scikit-learn's `cohen_kappa_score(labels=range(C), weights="quadratic")`); unweighted κ does not
    /// depend on `classCount`.
    /// - Throws: `.undefined` when Σ w·E = 0 (e.g. both raters always choose one class; scikit-learn returns NaN).
    public static func cohenKappa(predictions: [Int], labels: [Int], classCount: Int? = nil,
                                  weighting: KappaWeighting = .unweighted) throws -> Double {
        let m = try confusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        let n = Double(labels.count)
        let rows = m.map { Double($0.reduce(0, +)) }
        let cols = m.indices.map { c in Double(m.reduce(0) { $0 + $1[c] }) }
        var observed = 0.0, expected = 0.0
        for i in m.indices {
            for j in m.indices {
                let w: Double = weighting == .unweighted ? (i == j ? 0 : 1) : Double((i - j) * (i - j))
                observed += w * Double(m[i][j]) / n
                expected += w * rows[i] * cols[j] / (n * n)
            }
        }
        guard expected > 0 else { throw MetricError(.undefined, "cohenKappa: chance disagreement is 0 (a single class throughout)") }
        return 1 - observed / expected
    }

    // MARK: - Helpers

    static func checkPairs(_ predictions: [Int], _ labels: [Int], _ what: String) throws {
        guard !labels.isEmpty else { throw MetricError(.empty, "\(what): no samples") }
        guard predictions.count == labels.count else {
            throw MetricError(.lengthMismatch, "\(what): \(predictions.count) predictions but \(labels.count) labels")
        }
        if let i = labels.firstIndex(where: { $0 < 0 }) { throw MetricError(.labelOutOfRange, "\(what): label \(i) is \(labels[i]) < 0") }
        if let i = predictions.firstIndex(where: { $0 < 0 }) {
            throw MetricError(.labelOutOfRange, "\(what): prediction \(i) is \(predictions[i]) < 0")
        }
    }

    static func f1(of c: Int, _ m: [[Int]]) -> Double {
        let tp = m[c][c]
        let fn = m[c].reduce(0, +) - tp
        let fp = m.reduce(0) { $0 + $1[c] } - tp
        let denominator = 2 * tp + fp + fn
        return denominator == 0 ? 0 : Double(2 * tp) / Double(denominator)
    }

    static func binaryRecall(_ predictions: [Int], _ labels: [Int], of c: Int, _ what: String) throws -> Double {
        try checkPairs(predictions, labels, what)
        try checkLabels(labels, 2, "\(what) (labels)")
        try checkLabels(predictions, 2, "\(what) (predictions)")
        let m = try confusionMatrix(predictions: predictions, labels: labels, classCount: 2)
        let support = m[c].reduce(0, +)
        guard support > 0 else { throw MetricError(.undefined, "\(what): class \(c) is missing from the labels") }
        return Double(m[c][c]) / Double(support)
    }
}
