// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0

/// Weighted Kendall τ (Vigna 2015) with `scipy.stats.weightedtau`'s defaults: hyperbolic weights 1/(r + 1),
/// additive pair weights w(rᵢ) + w(rⱼ), and rank = True: the mean of the τ computed with ranks from the
/// decreasing lexicographic order of (x, y) and of (y, x). Ties count as in scipy (a tied pair adds to
/// neither the concordance nor its own side's normaliser). O(n²): meant for tens of models or cut points.
/// Returns NaN when either side is constant.
public enum WeightedKendallTau {
    public static func tau(_ x: [Double], _ y: [Double]) throws -> Double {
        guard x.count == y.count else {
            throw TransferabilityError("weighted Kendall τ: \(x.count) scores but \(y.count) reference values")
        }
        guard x.count >= 2 else { throw TransferabilityError("weighted Kendall τ needs at least 2 items; got \(x.count)") }
        guard x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else {
            throw TransferabilityError("weighted Kendall τ: scores must be finite numbers")
        }
        return (oneSided(x, y) + oneSided(y, x)) / 2
    }

    /// τ with importance ranks from the decreasing lexicographic order of (primary, secondary).
    static func oneSided(_ primary: [Double], _ secondary: [Double]) -> Double {
        let n = primary.count
        let order = (0 ..< n).sorted { a, b in
            primary[a] != primary[b] ? primary[a] > primary[b] : secondary[a] > secondary[b]
        }
        var weight = Array(repeating: 0.0, count: n)
        for (rank, index) in order.enumerated() { weight[index] = 1 / Double(rank + 1) }
        var concordance = 0.0, normaliserX = 0.0, normaliserY = 0.0
        for i in 0 ..< n {
            for j in (i + 1) ..< n {
                let pairWeight = weight[i] + weight[j]
                let sx = sign(primary[i] - primary[j]), sy = sign(secondary[i] - secondary[j])
                concordance += pairWeight * sx * sy
                if sx != 0 { normaliserX += pairWeight }
                if sy != 0 { normaliserY += pairWeight }
            }
        }
        return concordance / (normaliserX * normaliserY).squareRoot()
    }

    private static func sign(_ value: Double) -> Double { value > 0 ? 1 : (value < 0 ? -1 : 0) }
}
