// Scalpel — ScalpelMetrics
// SPDX-License-Identifier: Apache-2.0

/// Classification metrics on host arrays (`[Double]` scores, `[Int]` labels): pure Swift, no libtorch.
///
/// Conventions (all functions are `static` on this namespace):
/// - binary scores are `[Double]`, the positive-class score per sample, labels `0`/`1`;
/// - multi-class scores are `[[Double]]`, N rows × C probabilities, labels in `0..<C`;
/// - multi-label scores are `[[Double]]`, N × L, labels `[[Int]]` N × L of `0`/`1`.
///
/// Every function validates its input and throws a ``MetricError`` (empty input, mismatched lengths,
/// non-finite scores, labels out of range, undefined metric) instead of crashing.
public enum ScalpelMetrics {}

/// A metric's input was invalid or the metric is undefined for it; `message` names the problem.
public struct MetricError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// No samples (or no classes).
        case empty
        /// Scores and labels (or rows) of different lengths.
        case lengthMismatch
        /// A NaN or infinite score.
        case nonFiniteScore
        /// A label outside `0..<classCount` (or not 0/1 where binary labels are required).
        case labelOutOfRange
        /// The metric is undefined for this input, e.g. AUROC with only one class present.
        case undefined
        /// A parameter (threshold, resample count, confidence level, …) is invalid.
        case invalidArgument
    }

    /// The category of the error.
    public let kind: Kind
    /// A human-readable explanation naming the problem.
    public let message: String

    /// Creates an error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "MetricError(\(kind)): \(message)" }
}

// MARK: - Validation helpers

extension ScalpelMetrics {
    static func checkBinary(_ scores: [Double], _ labels: [Int], _ what: String) throws {
        guard !scores.isEmpty else { throw MetricError(.empty, "\(what): no samples") }
        guard scores.count == labels.count else {
            throw MetricError(.lengthMismatch, "\(what): \(scores.count) scores but \(labels.count) labels")
        }
        if let i = scores.firstIndex(where: { !$0.isFinite }) {
            throw MetricError(.nonFiniteScore, "\(what): score \(i) is \(scores[i])")
        }
        if let i = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw MetricError(.labelOutOfRange, "\(what): label \(i) is \(labels[i]), expected 0 or 1")
        }
    }

    /// Validates an N × C score matrix and labels in `0..<C`; returns C.
    @discardableResult
    static func checkMatrix(_ scores: [[Double]], _ labels: [Int], _ what: String) throws -> Int {
        let classes = try checkRows(scores, labels.count, what)
        guard classes >= 2 else { throw MetricError(.empty, "\(what): need at least 2 classes, got \(classes)") }
        try checkLabels(labels, classes, what)
        return classes
    }

    /// Validates a rectangular, finite N × C matrix with N == `count`; returns C.
    static func checkRows(_ scores: [[Double]], _ count: Int, _ what: String) throws -> Int {
        guard !scores.isEmpty else { throw MetricError(.empty, "\(what): no samples") }
        guard scores.count == count else {
            throw MetricError(.lengthMismatch, "\(what): \(scores.count) score rows but \(count) labels")
        }
        let columns = scores[0].count
        guard columns > 0 else { throw MetricError(.empty, "\(what): score rows have no columns") }
        for (i, row) in scores.enumerated() {
            guard row.count == columns else {
                throw MetricError(.lengthMismatch, "\(what): score row \(i) has \(row.count) columns, row 0 has \(columns)")
            }
            if let j = row.firstIndex(where: { !$0.isFinite }) {
                throw MetricError(.nonFiniteScore, "\(what): score [\(i)][\(j)] is \(row[j])")
            }
        }
        return columns
    }

    static func checkLabels(_ labels: [Int], _ classes: Int, _ what: String) throws {
        guard !labels.isEmpty else { throw MetricError(.empty, "\(what): no samples") }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw MetricError(.labelOutOfRange, "\(what): label \(i) is \(labels[i]), expected 0..<\(classes)")
        }
    }

    /// Validates multi-label input (N × L scores, N × L 0/1 labels); returns L.
    static func checkMultiLabel(_ scores: [[Double]], _ labels: [[Int]], _ what: String) throws -> Int {
        let count = try checkRows(scores, labels.count, what)
        for (i, row) in labels.enumerated() {
            guard row.count == count else {
                throw MetricError(.lengthMismatch, "\(what): label row \(i) has \(row.count) labels, scores have \(count)")
            }
            if let j = row.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw MetricError(.labelOutOfRange, "\(what): label [\(i)][\(j)] is \(row[j]), expected 0 or 1")
            }
        }
        return count
    }

    static func column(_ matrix: [[Double]], _ j: Int) -> [Double] { matrix.map { $0[j] } }
}
