// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Canonical correlations of two representations and their summaries.
public struct CCAResult: Codable, Sendable, Equatable {
    /// The canonical correlations ρ, descending, each in [0, 1] (google/svcca's `cca_coef1`).
    public var coefficients: [Double]
    /// google/svcca's `mean`: the mean of the first ``thresholdCount`` coefficients, the fewest that hold
    /// `threshold` (0.98) of their sum; all of them when that is reached only with the last one.
    public var mean: Double
    public var thresholdCount: Int
    /// The mean of all coefficients.
    public var meanAll: Double
    /// Neurons (or SVD directions) kept on each side after dropping those with variance below epsilon.
    public var keptX: Int
    public var keptY: Int
}

/// How many SVD directions SVCCA keeps on each side before CCA.
public enum SVDKeep: Sendable, Equatable, Codable {
    /// The fewest leading directions whose variance (squared singular values) holds this fraction of the total.
    case variance(Double)
    /// A fixed number of leading directions (all of them when a side has fewer).
    case count(Int)
}

/// CCA with google/svcca's semantics (`cca_core.get_cca_similarity`), computed from centred cross-product
/// sums: Σxx and Σyy each divided by their largest absolute entry and Σxy by √(xmax·ymax); neurons whose
/// scaled variance is below ε dropped; ε added to the diagonals; Σ^-½ through the eigendecomposition with
/// the pseudo-inverse's cutoff (1e-15 × the largest eigenvalue); ρ = singular values of Σxx^-½ Σxy Σyy^-½.
public enum CCA {
    struct Solution {
        var result: CCAResult
        var u: Tensor, vh: Tensor
        var keptIndicesX: Tensor, keptIndicesY: Tensor
    }

    /// Canonical correlations and google/svcca's summaries. Needs more datapoints than features on each side.
    public static func similarity(_ moments: CentredCrossProducts, epsilon: Double = 1e-10,
                                  threshold: Double = 0.98) throws -> CCAResult {
        try solve(moments, epsilon: epsilon, threshold: threshold, needsDirections: false).result
    }

    /// Throws ``SimilarityError`` unless both sides have fewer features than datapoints (google/svcca asserts
    /// neurons < datapoints).
    public static func checkDatapoints(count: Int, featuresX: Int, featuresY: Int, _ what: String) throws {
        let widest = max(featuresX, featuresY)
        if count <= widest { throw SimilarityError.tooFewDatapointsForCCA(datapoints: count, features: widest, what) }
    }

    static func solve(_ moments: CentredCrossProducts, epsilon: Double, threshold: Double,
                      needsDirections: Bool = true) throws -> Solution {
        guard epsilon >= 0, epsilon.isFinite else { throw SimilarityError("CCA epsilon must be ≥ 0; got \(epsilon)") }
        guard threshold > 0, threshold <= 1 else {
            throw SimilarityError("the CCA mean threshold must be in (0, 1]; got \(threshold)")
        }
        try checkDatapoints(count: moments.count, featuresX: moments.xx.shape[0], featuresY: moments.yy.shape[0], "CCA")
        let maxX = try moments.xx.abs().max().item(), maxY = try moments.yy.abs().max().item()
        guard maxX > 0, maxY > 0 else {
            throw SimilarityError("CCA: every feature of the \(maxX > 0 ? "second" : "first") representation is constant")
        }
        let keptX = try indices(ofDiagonal: moments.xx, scaledBy: maxX, atLeast: epsilon)
        let keptY = try indices(ofDiagonal: moments.yy, scaledBy: maxY, atLeast: epsilon)
        guard keptX.elementCount > 0, keptY.elementCount > 0 else {
            throw SimilarityError("CCA: no feature of the \(keptX.elementCount == 0 ? "first" : "second") representation " +
                                  "has variance above epsilon \(epsilon)")
        }
        let sxx = try select(moments.xx, keptX, keptX) / maxX
        let syy = try select(moments.yy, keptY, keptY) / maxY
        let sxy = try select(moments.xy, keptX, keptY) / (maxX * maxY).squareRoot()
        let invX = try inverseSquareRoot(try sxx + (try Tensor.eye(keptX.elementCount, dtype: .float64, on: sxx.device) * epsilon))
        let invY = try inverseSquareRoot(try syy + (try Tensor.eye(keptY.elementCount, dtype: .float64, on: syy.device) * epsilon))
        // The full bases are only needed for PWCCA's directions.
        let (u, s, vh) = try invX.matmul(sxy).matmul(invY).svd(fullMatrices: needsDirections)
        let coefficients = try s.abs().contiguous().hostArray(of: Double.self)
        let total = coefficients.reduce(0, +)
        var count = coefficients.count
        if total > 0 {
            var running = 0.0
            for index in 0 ..< coefficients.count {
                if running / total >= threshold { count = index; break }
                running += coefficients[index]
            }
        }
        let mean = count == 0 ? 0 : coefficients[..<count].reduce(0, +) / Double(count)
        let result = CCAResult(coefficients: coefficients, mean: mean, thresholdCount: count,
                               meanAll: coefficients.isEmpty ? 0 : total / Double(coefficients.count),
                               keptX: keptX.elementCount, keptY: keptY.elementCount)
        return Solution(result: result, u: u, vh: vh, keptIndicesX: keptX, keptIndicesY: keptY)
    }

    /// Projection-weighted CCA (Morcos et al. 2018, google/svcca `pwcca.compute_pwcca`, with the fix of
    /// google/svcca PR #9: the narrower side's own activations are used on both branches). The weights
    /// |Pᵀ Aᵀ| summed over neurons, P the orthonormal basis of the CCA directions, come from cross-product
    /// sums through a Cholesky factor instead of a QR of the data (the same numbers, up to rounding).
    /// As in the reference, each neuron's mean is added back to the CCA direction of the same index, so the
    /// value depends on the SVD's sign convention (LAPACK's here, as numpy's) by about 1e-6.
    public static func projectionWeighted(_ moments: CentredCrossProducts, epsilon: Double = 1e-10) throws -> Double {
        let solution = try solve(moments, epsilon: epsilon, threshold: 0.98)
        let useX = solution.result.keptX <= solution.result.keptY
        let kept = useX ? solution.keptIndicesX : solution.keptIndicesY
        let directions = useX ? try solution.u.t() : solution.vh
        let covariance = try select(useX ? moments.xx : moments.yy, kept, kept)
        let mean = try (useX ? moments.meanX : moments.meanY).indexSelect(axis: 0, indices: kept)
        let n = Double(moments.count)
        let meanOuter = try mean.unsqueezed(axis: 1).matmul(try mean.unsqueezed(axis: 0)) * n
        // dirns = C (A − m) + m: dirns·dirnsᵀ = C Σ Cᵀ + n m mᵀ and dirns·Aᵀ = C Σ + n m mᵀ.
        let dirnsGram = try directions.matmul(covariance).matmul(try directions.t()) + meanOuter
        let dirnsTimesActs = try directions.matmul(covariance) + meanOuter
        let lower: Tensor
        do {
            lower = try ((dirnsGram + dirnsGram.t()) / 2).cholesky()
        } catch {
            throw SimilarityError("PWCCA: the CCA directions are linearly dependent (collinear features); " +
                                  "use SVCCA or CKA, or drop duplicate features")
        }
        let projections = try lower.inverse().matmul(dirnsTimesActs).abs().sum(axes: [1])
        let weights = try projections.contiguous().hostArray(of: Double.self)
        let total = weights.reduce(0, +)
        return zip(weights, solution.result.coefficients).reduce(0) { $0 + $1.0 / total * $1.1 }
    }

    /// SVCCA (Raghu et al. 2017): each side reduced to its leading SVD directions of the centred data
    /// (from Σ's eigendecomposition: the same subspace as the SVD of the data), then ``similarity(_:epsilon:threshold:)``.
    public static func svcca(_ moments: CentredCrossProducts, keep: SVDKeep = .variance(0.99), epsilon: Double = 1e-10,
                             threshold: Double = 0.98) throws -> CCAResult {
        try similarity(try svdReduced(moments, keep: keep), epsilon: epsilon, threshold: threshold)
    }

    /// The cross-products of the SVD-reduced representations: Vxᵀ Σxx Vx, Vyᵀ Σyy Vy, Vxᵀ Σxy Vy, zero means.
    public static func svdReduced(_ moments: CentredCrossProducts, keep: SVDKeep) throws -> CentredCrossProducts {
        let vx = try leadingDirections(moments.xx, keep: keep)
        let vy = try leadingDirections(moments.yy, keep: keep)
        let vxt = try vx.vectors.t()
        // Vᵀ Σ V is the diagonal of the kept eigenvalues: set it exactly, so CCA's Σ^-½ is elementwise.
        return CentredCrossProducts(
            count: moments.count,
            meanX: try Tensor.zeros([vx.vectors.shape[1]], dtype: .float64, on: vx.vectors.device),
            meanY: try Tensor.zeros([vy.vectors.shape[1]], dtype: .float64, on: vy.vectors.device),
            xx: try diagonalMatrix(vx.eigenvalues), yy: try diagonalMatrix(vy.eigenvalues),
            xy: try vxt.matmul(moments.xy).matmul(vy.vectors), rowNorms: nil)
    }

    static func diagonalMatrix(_ values: Tensor) throws -> Tensor {
        try Tensor.eye(values.shape[0], dtype: .float64, on: values.device) * values.unsqueezed(axis: 0)
    }

    /// The leading eigenvectors [D, k] of a centred cross-product matrix, by the rule `keep`, with their
    /// eigenvalues [k] (clamped at 0).
    static func leadingDirections(_ covariance: Tensor, keep: SVDKeep) throws -> (vectors: Tensor, eigenvalues: Tensor) {
        let (values, vectors) = try covariance.eigh()
        let descendingValues = try values.flipped(axes: [0]).clamped(min: 0)
        let descending = try descendingValues.contiguous().hostArray(of: Double.self)
        let total = descending.reduce(0, +)
        var count = descending.count
        switch keep {
        case .count(let wanted):
            guard wanted > 0 else { throw SimilarityError("SVCCA must keep at least one SVD direction; got \(wanted)") }
            count = min(wanted, descending.count)
        case .variance(let fraction):
            guard fraction > 0, fraction <= 1 else {
                throw SimilarityError("SVCCA's kept variance must be in (0, 1]; got \(fraction)")
            }
            if total > 0 {
                var running = 0.0
                for (index, value) in descending.enumerated() {
                    running += value
                    if running / total >= fraction { count = index + 1; break }
                }
            }
        }
        return (try vectors.flipped(axes: [1]).slice(axis: 1, start: 0, end: count),
                try descendingValues.slice(axis: 0, start: 0, end: count))
    }

    static func indices(ofDiagonal matrix: Tensor, scaledBy scale: Double, atLeast epsilon: Double) throws -> Tensor {
        let diagonal = try (matrix * (try Tensor.eye(matrix.shape[0], dtype: .float64, on: matrix.device))).sum(axes: [1])
        let mask = try (diagonal.abs() / scale).ge(epsilon)
        return try mask.nonzero().flattened()
    }

    static func select(_ matrix: Tensor, _ rows: Tensor, _ columns: Tensor) throws -> Tensor {
        try matrix.indexSelect(axis: 0, indices: rows).indexSelect(axis: 1, indices: columns)
    }

    /// (A)^-½ of a symmetric positive semi-definite matrix with the pseudo-inverse's cutoff.
    static func inverseSquareRoot(_ matrix: Tensor) throws -> Tensor {
        let n = matrix.shape[0]
        let identity = try Tensor.eye(n, dtype: matrix.dtype, on: matrix.device)
        let diagonal = try (matrix * identity).sum(axes: [1])
        if try (matrix - (identity * diagonal.unsqueezed(axis: 0))).abs().max().item() == 0 {
            // Diagonal (SVCCA's reduced Σ): elementwise, with the same cutoff.
            let cutoff = 1e-15 * (try diagonal.abs().max().item())
            let roots = try Tensor.where(try diagonal.gt(cutoff), try diagonal.clamped(min: cutoff).rsqrt(), try diagonal.zerosLike())
            return try identity * roots.unsqueezed(axis: 0)
        }
        let symmetric = try (matrix + matrix.t()) / 2
        let (values, vectors) = try symmetric.eigh()
        let largest = try values.abs().max().item()
        let cutoff = 1e-15 * largest
        let kept = try values.gt(cutoff)
        let inverseRoots = try Tensor.where(kept, try values.clamped(min: cutoff).rsqrt(), try values.zerosLike())
        return try (vectors * inverseRoots.unsqueezed(axis: 0)).matmul(try vectors.t())
    }
}
