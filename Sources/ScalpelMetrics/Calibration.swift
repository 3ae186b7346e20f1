// Scalpel — ScalpelMetrics
// SPDX-License-Identifier: Apache-2.0

extension ScalpelMetrics {
    /// Expected calibration error (Guo et al. 2017) from N × C probabilities.
    ///
    /// Exact definition: the confidence of a sample is its maximum probability and its prediction the
    /// arg-max (first index on ties). The confidences are put in `bins` equal-width bins over [0, 1], bin b
    /// holding confidences in (b/bins, (b+1)/bins] (a confidence of exactly 0 goes to the first bin).
    /// ECE = Σ_b |B_b| / N · |acc(B_b) − conf(B_b)|, with acc the fraction of correct predictions and conf the
    /// mean confidence in the bin; empty bins contribute nothing.
    public static func expectedCalibrationError(scores: [[Double]], labels: [Int], bins: Int = 15) throws -> Double {
        try checkMatrix(scores, labels, "expectedCalibrationError")
        let predicted = try predictions(scores: scores)
        let confidence = zip(scores, predicted).map { $0[$1] }
        return try ece(confidence, zip(predicted, labels).map { $0 == $1 }, bins)
    }

    /// Expected calibration error for binary scores: the prediction is score > 0.5 and the confidence
    /// max(score, 1 − score); otherwise as ``expectedCalibrationError(scores:labels:bins:)`` for N × C input.
    public static func expectedCalibrationError(scores: [Double], labels: [Int], bins: Int = 15) throws -> Double {
        try checkBinary(scores, labels, "expectedCalibrationError")
        let correct = zip(scores, labels).map { ($0 > 0.5 ? 1 : 0) == $1 }
        return try ece(scores.map { max($0, 1 - $0) }, correct, bins)
    }

    static func ece(_ confidence: [Double], _ correct: [Bool], _ bins: Int) throws -> Double {
        guard bins >= 1 else { throw MetricError(.invalidArgument, "expectedCalibrationError: bins \(bins) < 1") }
        var count = [Int](repeating: 0, count: bins)
        var hits = [Double](repeating: 0, count: bins)
        var sum = [Double](repeating: 0, count: bins)
        for (c, ok) in zip(confidence, correct) {
            let b = min(max(Int((c * Double(bins)).rounded(.up)) - 1, 0), bins - 1)
            count[b] += 1
            sum[b] += c
            if ok { hits[b] += 1 }
        }
        let n = Double(confidence.count)
        var total = 0.0
        for b in 0..<bins where count[b] > 0 {
            let k = Double(count[b])
            total += k / n * abs(hits[b] / k - sum[b] / k)
        }
        return total
    }
}
