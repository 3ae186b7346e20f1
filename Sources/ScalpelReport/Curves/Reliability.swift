// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0

/// A reliability diagram's bins: equal-width confidence bins over [0, 1], each with its mean confidence,
/// the observed frequency and the sample count (bin b holds (b/n, (b+1)/n], 0 in the first, as the ECE).
public struct ReliabilityBin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var meanConfidence: Double
    /// Fraction of positives (binary) or of correct predictions (multi-class) in the bin.
    public var observed: Double

    /// Bins of `confidence` against `outcome` (1 = positive or correct).
    public static func bins(confidence: [Double], outcome: [Bool], count binCount: Int = 10) -> [ReliabilityBin] {
        var counts = [Int](repeating: 0, count: binCount), sums = [Double](repeating: 0, count: binCount)
        var hits = [Int](repeating: 0, count: binCount)
        for (value, hit) in zip(confidence, outcome) where value.isFinite {
            let bin = min(max(Int((value * Double(binCount)).rounded(.up)) - 1, 0), binCount - 1)
            counts[bin] += 1
            sums[bin] += value
            if hit { hits[bin] += 1 }
        }
        return (0..<binCount).compactMap { bin in
            guard counts[bin] > 0 else { return nil }
            return ReliabilityBin(lower: Double(bin) / Double(binCount), upper: Double(bin + 1) / Double(binCount),
                                  count: counts[bin], meanConfidence: sums[bin] / Double(counts[bin]),
                                  observed: Double(hits[bin]) / Double(counts[bin]))
        }
    }
}
