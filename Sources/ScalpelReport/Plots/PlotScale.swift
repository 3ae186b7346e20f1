// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Maps data values on one axis to pixels, linearly or on a log₁₀ scale, and chooses its ticks.
public struct PlotScale: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case linear, log10 }

    public let kind: Kind
    /// Data range shown (for log10, both positive).
    public let lower: Double
    public let upper: Double
    /// Pixel positions of `lower` and `upper`.
    public let start: Double
    public let end: Double

    /// A scale over `lower...upper`; an empty or reversed range is widened so that it can be drawn.
    public init(_ kind: Kind = .linear, lower: Double, upper: Double, start: Double, end: Double) {
        var low = lower, high = upper
        if kind == .log10 {
            low = max(low, .leastNormalMagnitude)
            high = max(high, low)
            if high <= low { low /= 10; high *= 10 }
        } else if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        self.kind = kind
        self.lower = low
        self.upper = high
        self.start = start
        self.end = end
    }

    /// The pixel position of `value` (values outside the range map outside the axis).
    public func position(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear: fraction = (value - lower) / (upper - lower)
        case .log10: fraction = (Foundation.log10(max(value, .leastNormalMagnitude)) - Foundation.log10(lower))
            / (Foundation.log10(upper) - Foundation.log10(lower))
        }
        return start + fraction * (end - start)
    }

    /// Tick values inside the range: multiples of 1, 2 or 5 × 10ᵏ giving at most `target` + 1 ticks
    /// (linear), or the powers of ten inside it, with 2× and 5× when it spans at most two decades (log10).
    public func ticks(target: Int = 5) -> [Double] {
        switch kind {
        case .linear:
            let step = Self.niceStep((upper - lower) / Double(max(target, 1)))
            let first = (lower / step).rounded(.up)
            let last = (upper / step).rounded(.down)
            guard last >= first, last - first < 1000 else { return [lower, upper] }
            return stride(from: first, through: last, by: 1).map { ($0 * step).roundedToStep(step) }
        case .log10:
            let first = Foundation.log10(lower).rounded(.down), last = Foundation.log10(upper).rounded(.up)
            guard last - first < 400 else { return [lower, upper] }
            let powers = stride(from: first, through: last, by: 1).map { pow(10, $0) }
            // Few decades: 2× and 5× between the powers too.
            let factors: [Double] = upper / lower < 1000 ? [1, 2, 5] : [1]
            let low = lower * (1 - 1e-9), high = upper * (1 + 1e-9)
            var ticks: [Double] = []
            for power in powers {
                for factor in factors {
                    let tick: Double = factor * power
                    if tick >= low, tick <= high { ticks.append(tick) }
                }
            }
            return ticks
        }
    }

    /// The smallest 1, 2 or 5 × 10ᵏ that is at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, Foundation.log10(rough).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= rough * (1 - 1e-9) { return factor * power }
        return 10 * power
    }

    /// A tick's label: as few decimals as the tick spacing needs; powers of ten on a log scale as 10ᵏ
    /// numbers written out up to 10⁶, with an SI suffix above.
    public func label(_ value: Double, ticks: [Double]) -> String {
        if kind == .log10 || abs(value) >= 1e4 {
            for (suffix, size) in [("G", 1e9), ("M", 1e6), ("k", 1e3)] where abs(value) >= size {
                return Self.trimmed(value / size) + suffix
            }
        }
        let spacing = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : abs(value)
        let decimals = spacing > 0 ? max(0, min(6, Int(-Foundation.log10(spacing).rounded(.down)))) : 0
        return String(format: "%.\(decimals)f", value)
    }

    private static func trimmed(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

private extension Double {
    /// Removes float noise from `k × step` (0.30000000000000004 → 0.3).
    func roundedToStep(_ step: Double) -> Double {
        let decimals = max(0, -Int(Foundation.log10(step).rounded(.down)) + 1)
        let scale = pow(10, Double(min(decimals, 12)))
        return (self * scale).rounded() / scale
    }
}
