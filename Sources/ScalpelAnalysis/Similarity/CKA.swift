// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Centred kernel alignment (Kornblith et al. 2019), as in google-research's
/// `representation_similarity/Demo.ipynb`.
public enum CKA {
    /// Linear CKA ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on column-centred features, from streamed cross-products.
    public static func linear(_ moments: CentredCrossProducts) throws -> Double {
        let crossNorm = try moments.xy.norm().item()
        let normX = try moments.xx.norm().item(), normY = try moments.yy.norm().item()
        return crossNorm * crossNorm / (normX * normY)
    }

    /// Debiased linear CKA: the Székely–Rizzo U-statistic estimator of HSIC in the numerator and the
    /// normalisers (the notebook's `feature_space_linear_cka(debiased=True)`). Needs at least 4 datapoints
    /// and the row-norm sums (`CrossProductAccumulator(keepsRowNorms: true)`).
    public static func debiasedLinear(_ moments: CentredCrossProducts) throws -> Double {
        guard let rows = moments.rowNorms else {
            throw SimilarityError("debiased CKA needs the row-norm sums; accumulate with keepsRowNorms: true")
        }
        let n = Double(moments.count)
        guard moments.count >= 4 else { throw SimilarityError("debiased CKA needs at least 4 datapoints; got \(moments.count)") }
        let traceX = try moments.xx.diagonalSum(), traceY = try moments.yy.diagonalSum()
        func debiased(_ frobeniusSquared: Double, _ rowProduct: Double, _ traceA: Double, _ traceB: Double) -> Double {
            frobeniusSquared - n / (n - 2) * rowProduct + traceA * traceB / ((n - 1) * (n - 2))
        }
        let cross = try moments.xy.norm().item(), normX = try moments.xx.norm().item(), normY = try moments.yy.norm().item()
        let hsic = debiased(cross * cross, rows.xy, traceX, traceY)
        let hsicX = debiased(normX * normX, rows.xx, traceX, traceX)
        let hsicY = debiased(normY * normY, rows.yy, traceY, traceY)
        return hsic / (hsicX * hsicY).squareRoot()
    }

    /// RBF-kernel CKA on `x` [n, Dx] and `y` [n, Dy]: k(a, b) = exp(−‖a − b‖² / (2 t² · median)), the median
    /// taken over the full n × n matrix of squared distances, zero diagonal included (the notebook's
    /// `gram_rbf`; an even count takes the mean of the two middle values, as numpy). Memory is O(n²):
    /// callers cap n (``SimilarityOptions/rbfSampleCap``).
    public static func rbf(_ x: Tensor, _ y: Tensor, threshold: Double) throws -> Double {
        guard x.shape[0] == y.shape[0] else { throw SimilarityError.datapointMismatch(x.shape[0], y.shape[0], "RBF CKA") }
        guard threshold > 0, threshold.isFinite else {
            throw SimilarityError("the RBF CKA threshold must be a positive number; got \(threshold)")
        }
        let gramX = try centred(try rbfGram(try x.to(dtype: .float64), threshold: threshold))
        let gramY = try centred(try rbfGram(try y.to(dtype: .float64), threshold: threshold))
        let numerator = try (gramX * gramY).sum().item()
        return numerator / (try gramX.norm().item() * (try gramY.norm().item()))
    }

    static func rbfGram(_ x: Tensor, threshold: Double) throws -> Tensor {
        let dot = try x.matmul(try x.t())
        let squaredNorms = try (x * x).sum(axes: [1])
        let distances = try (try squaredNorms.unsqueezed(axis: 1) + squaredNorms.unsqueezed(axis: 0)) - (dot * 2)
        let median = try numpyMedian(distances)
        guard median > 0 else {
            throw SimilarityError("RBF CKA: the median squared distance between datapoints is 0 (most rows are identical); " +
                                  "use linear CKA")
        }
        return try (distances / (-2 * threshold * threshold * median)).exp()
    }

    /// H K H for the centring matrix H = I − 11ᵀ/n.
    static func centred(_ gram: Tensor) throws -> Tensor {
        let columnMeans = try gram.mean(axes: [0])
        let grand = try columnMeans.mean().item()
        return try (try gram - columnMeans.unsqueezed(axis: 1)) - (try columnMeans.unsqueezed(axis: 0) - grand)
    }

    /// numpy's median of all elements: the mean of the two middle values when the count is even.
    static func numpyMedian(_ tensor: Tensor) throws -> Double {
        let sorted = try tensor.flattened().sorted().values
        let count = sorted.elementCount
        let upper = try sorted.select(axis: 0, index: count / 2).item()
        if count % 2 == 1 { return upper }
        return (upper + (try sorted.select(axis: 0, index: count / 2 - 1).item())) / 2
    }
}

extension Tensor {
    /// The sum of the main diagonal of a square matrix.
    func diagonalSum() throws -> Double {
        let n = shape[0]
        return try (self * (try Tensor.eye(n, dtype: dtype, on: device))).sum().item()
    }
}
