// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// A mean and a sample standard deviation (n − 1; 0 for one value).
public struct MeanAndDeviation: Codable, Sendable, Equatable {
    public var mean: Double
    public var standardDeviation: Double

    public init(_ values: [Double]) {
        let mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        self.mean = mean
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        standardDeviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    }
}

/// The level a similarity measure reaches by chance for given shapes (google/svcca tutorial 001).
///
/// Construction: for each draw, two independent matrices of standard Gaussian entries with exactly the
/// shapes of the compared representations, [n, Dx] and [n, Dy] (n the same datapoint count, after spatial
/// folding or pooling), go through the identical pipeline and options (the same SVD rule, epsilon,
/// threshold and RBF sample cap). Rows are independent, so spatial correlation of folded maps is not
/// modelled. CCA-based measures rise as n approaches the feature count, which is why a comparison is
/// only meaningful against a baseline with the same shapes.
public struct RandomBaseline: Codable, Sendable, Equatable {
    public var draws: [SimilarityScores]
    /// Mean ± std of each computed measure's summary over the draws.
    public var summary: [String: MeanAndDeviation]
    /// The mean over draws of the sorted CCA and SVCCA coefficients, resampled on ``CoefficientCurve/gridPoints``
    /// points of the normalised index [0, 1].
    public var ccaCurve: [Double]?
    public var svccaCurve: [Double]?

    /// Draws `count` baselines. Gaussian rows are generated and streamed in chunks of at most `chunk` rows,
    /// so memory does not grow with n.
    public static func draw(datapoints: Int, featuresX: Int, featuresY: Int, options: SimilarityOptions,
                            count: Int = 5, seed: UInt64 = 0, chunk: Int = 16_384) throws -> RandomBaseline {
        guard count >= 1, count <= 100 else { throw SimilarityError("the random baseline needs 1...100 draws; got \(count)") }
        guard datapoints >= 2, featuresX >= 1, featuresY >= 1 else {
            throw SimilarityError("a random baseline needs ≥ 2 datapoints and ≥ 1 feature; got \(datapoints) × (\(featuresX), \(featuresY))")
        }
        let generator = try Generator(seed: seed)
        var draws: [SimilarityScores] = []
        for index in 0 ..< count {
            var drawOptions = options
            drawOptions.seed = options.seed &+ UInt64(index) &+ 1
            let accumulator = try SimilarityAccumulator(options: drawOptions)
            var start = 0
            while start < datapoints {
                let rows = min(chunk, datapoints - start)
                try accumulator.add(try Tensor.randn([rows, featuresX], generator: generator, dtype: .float64),
                                    try Tensor.randn([rows, featuresY], generator: generator, dtype: .float64))
                start += rows
            }
            draws.append(try accumulator.scores())
        }
        var summary: [String: MeanAndDeviation] = [:]
        for measure in options.measures {
            let values = draws.compactMap { $0.value(measure) }
            if !values.isEmpty { summary[measure.rawValue] = MeanAndDeviation(values) }
        }
        func meanCurve(_ curves: [[Double]]) -> [Double]? {
            guard !curves.isEmpty else { return nil }
            let resampled = curves.map { CoefficientCurve.resampled($0) }
            return (0 ..< CoefficientCurve.gridPoints).map { i in resampled.reduce(0) { $0 + $1[i] } / Double(resampled.count) }
        }
        return RandomBaseline(draws: draws, summary: summary, ccaCurve: meanCurve(draws.compactMap { $0.cca?.coefficients }),
                              svccaCurve: meanCurve(draws.compactMap { $0.svcca?.coefficients }))
    }
}

/// Sorted coefficient curves on a normalised index (TruncatedTL Fig. 4): coefficient i of k sits at
/// i / (k − 1), so representations of different widths are comparable.
public enum CoefficientCurve {
    /// Points of the common grid on [0, 1].
    public static let gridPoints = 101

    /// The curve (descending coefficients) linearly interpolated at `gridPoints` equally spaced points of [0, 1].
    public static func resampled(_ coefficients: [Double], points: Int = gridPoints) -> [Double] {
        guard !coefficients.isEmpty else { return Array(repeating: 0, count: points) }
        let sorted = coefficients.sorted(by: >)
        guard sorted.count > 1 else { return Array(repeating: sorted[0], count: points) }
        return (0 ..< points).map { p in
            let position = Double(p) / Double(points - 1) * Double(sorted.count - 1)
            let lower = min(Int(position), sorted.count - 2)
            let fraction = position - Double(lower)
            return sorted[lower] * (1 - fraction) + sorted[lower + 1] * fraction
        }
    }

    /// ∫₀¹ (curve − baseline) dx over the normalised index, by the trapezoid rule on the common grid of
    /// `points` points (both curves linearly interpolated). Positive: more similar than chance.
    public static func areaBetween(_ curve: [Double], _ baseline: [Double], points: Int = 1001) -> Double {
        let a = resampled(curve, points: points), b = resampled(baseline, points: points)
        let step = 1 / Double(points - 1)
        var area = 0.0
        for i in 1 ..< points {
            area += ((a[i] - b[i]) + (a[i - 1] - b[i - 1])) / 2 * step
        }
        return area
    }
}
