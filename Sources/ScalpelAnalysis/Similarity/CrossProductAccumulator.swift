// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Streaming sums of the cross-products of two representations of the same datapoints, in float64, so
/// linear CKA (plain and debiased), CCA, SVCCA and PWCCA need memory of order features², not
/// datapoints × features. Exact, not an approximation: every measure is a function of these sums.
///
/// Rows are datapoints. Each side is shifted by the mean of its first batch before squaring, so features
/// with large means lose no precision when the sums are centred at the end.
public final class CrossProductAccumulator {
    /// Datapoints added so far.
    public private(set) var count = 0
    /// Whether the per-row norm sums that debiased CKA needs are kept (a few extra products per batch).
    public let keepsRowNorms: Bool

    private var shiftX: Tensor?, shiftY: Tensor?
    private var sumX: Tensor?, sumY: Tensor?
    private var productXX: Tensor?, productYY: Tensor?, productXY: Tensor?
    // Row norms a = ‖x'‖², b = ‖y'‖² of the shifted rows and their moments.
    private var sumA = 0.0, sumB = 0.0, sumAA = 0.0, sumBB = 0.0, sumAB = 0.0
    private var normWeightedX: Tensor?, normWeightedY: Tensor?   // Σ a·x', Σ b·y'
    private var crossWeightedX: Tensor?, crossWeightedY: Tensor? // Σ b·x', Σ a·y'

    public init(keepsRowNorms: Bool = true) { self.keepsRowNorms = keepsRowNorms }

    /// Feature counts of the two sides (nil before the first batch).
    public var featureCounts: (x: Int, y: Int)? {
        guard let shiftX, let shiftY else { return nil }
        return (shiftX.shape[0], shiftY.shape[0])
    }

    /// Adds a batch: `x` [b, Dx] and `y` [b, Dy], any floating dtype, rows = the same datapoints.
    public func add(_ x: Tensor, _ y: Tensor) throws {
        guard x.rank == 2, y.rank == 2 else {
            throw SimilarityError("a batch of features must be [datapoints, features]; got shapes \(x.shape) and \(y.shape)")
        }
        guard x.shape[0] == y.shape[0] else { throw SimilarityError.datapointMismatch(x.shape[0], y.shape[0], "a batch") }
        if let counts = featureCounts, counts != (x.shape[1], y.shape[1]) {
            throw SimilarityError("a batch has \(x.shape[1]) and \(y.shape[1]) features where earlier batches had " +
                                  "\(counts.x) and \(counts.y)")
        }
        guard x.shape[0] > 0 else { return }
        let x64 = try x.to(dtype: .float64), y64 = try y.to(dtype: .float64)
        if shiftX == nil {
            shiftX = try x64.mean(axes: [0])
            shiftY = try y64.mean(axes: [0])
        }
        let xs = try x64 - shiftX!, ys = try y64 - shiftY!
        let xt = try xs.t()
        try Self.accumulate(&sumX, try xs.sum(axes: [0]))
        try Self.accumulate(&sumY, try ys.sum(axes: [0]))
        try Self.accumulate(&productXX, try xt.matmul(xs))
        try Self.accumulate(&productYY, try ys.t().matmul(ys))
        try Self.accumulate(&productXY, try xt.matmul(ys))
        if keepsRowNorms {
            let a = try (xs * xs).sum(axes: [1]), b = try (ys * ys).sum(axes: [1])
            sumA += try a.sum().item()
            sumB += try b.sum().item()
            sumAA += try (a * a).sum().item()
            sumBB += try (b * b).sum().item()
            sumAB += try (a * b).sum().item()
            let aRow = try a.unsqueezed(axis: 0), bRow = try b.unsqueezed(axis: 0)
            try Self.accumulate(&normWeightedX, try aRow.matmul(xs).squeezed(axis: 0))
            try Self.accumulate(&normWeightedY, try bRow.matmul(ys).squeezed(axis: 0))
            try Self.accumulate(&crossWeightedX, try bRow.matmul(xs).squeezed(axis: 0))
            try Self.accumulate(&crossWeightedY, try aRow.matmul(ys).squeezed(axis: 0))
        }
        count += x.shape[0]
    }

    private static func accumulate(_ total: inout Tensor?, _ value: Tensor) throws {
        if let existing = total {
            try existing.addInPlace(value)
        } else {
            total = value
        }
    }

    /// The centred sums (not divided by n or n − 1; every measure here is scale-free).
    public func centred() throws -> CentredCrossProducts {
        guard count >= 2, let sumX, let sumY, let productXX, let productYY, let productXY, let shiftX, let shiftY else {
            throw SimilarityError("similarity needs at least 2 datapoints; got \(count)")
        }
        let n = Double(count)
        let meanX = try sumX / n, meanY = try sumY / n
        func centre(_ product: Tensor, _ left: Tensor, _ right: Tensor) throws -> Tensor {
            try product - (try left.unsqueezed(axis: 1).matmul(try right.unsqueezed(axis: 0)) * n)
        }
        var rowNorms: CentredCrossProducts.RowNormSums?
        if keepsRowNorms, let normWeightedX, let normWeightedY, let crossWeightedX, let crossWeightedY {
            let cx = try (meanX * meanX).sum().item(), cy = try (meanY * meanY).sum().item()
            // Σᵢ rxᵢ·ryᵢ with rxᵢ = ‖xᵢ − μx‖² = aᵢ − 2 x'ᵢ·μx + ‖μx‖² (x' the shifted row), expanded.
            func product(_ sab: Double, _ aY: Tensor, _ bX: Tensor, _ xy: Tensor, _ mx: Tensor, _ my: Tensor,
                         _ sa: Double, _ sb: Double, _ cx: Double, _ cy: Double) throws -> Double {
                let quadratic = try mx.unsqueezed(axis: 0).matmul(xy).matmul(my.unsqueezed(axis: 1)).item()
                return sab - 2 * (try (my * aY).sum().item()) + cy * sa - 2 * (try (mx * bX).sum().item())
                    + 4 * quadratic + cx * sb - 3 * n * cx * cy
            }
            rowNorms = .init(
                xy: try product(sumAB, crossWeightedY, crossWeightedX, productXY, meanX, meanY, sumA, sumB, cx, cy),
                xx: try product(sumAA, normWeightedX, normWeightedX, productXX, meanX, meanX, sumA, sumA, cx, cx),
                yy: try product(sumBB, normWeightedY, normWeightedY, productYY, meanY, meanY, sumB, sumB, cy, cy))
        }
        return CentredCrossProducts(
            count: count, meanX: try meanX + shiftX, meanY: try meanY + shiftY,
            xx: try centre(productXX, meanX, meanX), yy: try centre(productYY, meanY, meanY),
            xy: try centre(productXY, meanX, meanY), rowNorms: rowNorms)
    }
}

/// Centred cross-product sums of two representations (float64): `xx` = Σ (x − μx)(x − μx)ᵀ [Dx, Dx],
/// `yy` [Dy, Dy], `xy` [Dx, Dy]; the means [Dx], [Dy]; and, for debiased CKA, the sums over datapoints
/// of products of centred row norms.
public struct CentredCrossProducts {
    /// Σᵢ ‖xᵢ − μx‖²‖yᵢ − μy‖², Σᵢ ‖xᵢ − μx‖⁴, Σᵢ ‖yᵢ − μy‖⁴.
    public struct RowNormSums { public var xy, xx, yy: Double }
    public var count: Int
    public var meanX, meanY: Tensor
    public var xx, yy, xy: Tensor
    public var rowNorms: RowNormSums?

    /// Cross-products of the whole of `x` [n, Dx] and `y` [n, Dy] at once.
    public static func of(_ x: Tensor, _ y: Tensor, keepsRowNorms: Bool = true) throws -> CentredCrossProducts {
        let accumulator = CrossProductAccumulator(keepsRowNorms: keepsRowNorms)
        try accumulator.add(x, y)
        return try accumulator.centred()
    }
}
