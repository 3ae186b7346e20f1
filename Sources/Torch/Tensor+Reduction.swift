// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

// Reductions. `axes` are PyTorch `dim`s (negative counts from the end); empty means all elements.
extension Tensor {
    func reduce(_ op: ctorch_reduce_op, _ axes: [Int], _ keep: Bool, _ operation: String = #function) throws -> Tensor {
        try withDims(axes) { dims, count in
            try shimTensor(operation) { ctorch_reduce(op, rawHandle, dims, count, keep, $0, $1) }
        }
    }

    public func sum(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_SUM, axes, keepDimensions)
    }
    public func mean(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_MEAN, axes, keepDimensions)
    }
    public func prod(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_PROD, axes, keepDimensions)
    }
    /// Largest values over `axes` (`torch.amax`).
    public func max(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_AMAX, axes, keepDimensions)
    }
    /// Smallest values over `axes` (`torch.amin`).
    public func min(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_AMIN, axes, keepDimensions)
    }
    public func logSumExp(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_LOGSUMEXP, axes, keepDimensions)
    }
    /// True where every element over `axes` is non-zero.
    public func all(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_ALL, axes, keepDimensions)
    }
    public func any(axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try reduce(CTORCH_ANY, axes, keepDimensions)
    }

    /// Variance with `correction` (1 = unbiased, Bessel's; 0 = population), as `torch.var`.
    public func variance(axes: [Int] = [], correction: Double = 1, keepDimensions: Bool = false) throws -> Tensor {
        try withDims(axes) { dims, count in
            try shimTensor { ctorch_var(rawHandle, dims, count, correction, keepDimensions, false, $0, $1) }
        }
    }

    public func standardDeviation(axes: [Int] = [], correction: Double = 1, keepDimensions: Bool = false) throws -> Tensor {
        try withDims(axes) { dims, count in
            try shimTensor { ctorch_var(rawHandle, dims, count, correction, keepDimensions, true, $0, $1) }
        }
    }

    /// Vector p-norm (`torch.linalg.vector_norm`); `p: .infinity` is the max-abs norm.
    public func norm(p: Double = 2, axes: [Int] = [], keepDimensions: Bool = false) throws -> Tensor {
        try withDims(axes) { dims, count in
            try shimTensor { ctorch_norm(rawHandle, p, dims, count, keepDimensions, $0, $1) }
        }
    }

    /// Largest values along `axis` and their indices (`torch.max(x, dim)`).
    public func max(axis: Int, keepDimensions: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try shimTensorPair { ctorch_max_dim(rawHandle, Int64(axis), keepDimensions, false, $0, $1, $2) }
    }

    public func min(axis: Int, keepDimensions: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try shimTensorPair { ctorch_max_dim(rawHandle, Int64(axis), keepDimensions, true, $0, $1, $2) }
    }

    /// Index of the largest value along `axis`, or in the flattened tensor when `axis` is nil.
    public func argmax(axis: Int? = nil, keepDimensions: Bool = false) throws -> Tensor {
        try shimTensor { ctorch_argmax(rawHandle, axis != nil, Int64(axis ?? 0), keepDimensions, false, $0, $1) }
    }

    public func argmin(axis: Int? = nil, keepDimensions: Bool = false) throws -> Tensor {
        try shimTensor { ctorch_argmax(rawHandle, axis != nil, Int64(axis ?? 0), keepDimensions, true, $0, $1) }
    }

    /// The `k` largest (or smallest) values along `axis` with their indices.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true, sorted: Bool = true) throws
        -> (values: Tensor, indices: Tensor)
    {
        try shimTensorPair { ctorch_topk(rawHandle, Int64(k), Int64(axis), largest, sorted, $0, $1, $2) }
    }

    public func sorted(axis: Int = -1, descending: Bool = false, stable: Bool = false) throws
        -> (values: Tensor, indices: Tensor)
    {
        try shimTensorPair { ctorch_sort(rawHandle, Int64(axis), descending, stable, $0, $1, $2) }
    }

    public func cumulativeSum(axis: Int) throws -> Tensor {
        try shimTensor { ctorch_cumsum(rawHandle, Int64(axis), $0, $1) }
    }
}
