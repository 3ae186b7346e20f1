// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

// Shape changes and joins. Views share storage with their input where libtorch can make one.
extension Tensor {
    /// Same elements in `shape`; one entry may be -1 (`torch.reshape`).
    public func reshaped(to shape: [Int]) throws -> Tensor {
        try withDims(shape) { dims, count in try shimTensor { ctorch_reshape(rawHandle, dims, count, $0, $1) } }
    }

    /// Dimensions reordered (`torch.permute`).
    public func permuted(_ order: [Int]) throws -> Tensor {
        try withDims(order) { dims, count in try shimTensor { ctorch_permute(rawHandle, dims, count, $0, $1) } }
    }

    public func transposed(_ axis0: Int, _ axis1: Int) throws -> Tensor {
        try shimTensor { ctorch_transpose(rawHandle, Int64(axis0), Int64(axis1), $0, $1) }
    }

    /// The 2-D transpose.
    public func t() throws -> Tensor { try transposed(0, 1) }

    /// Size-1 dimensions broadcast to `shape` without copying; -1 keeps a size.
    public func expanded(to shape: [Int]) throws -> Tensor {
        try withDims(shape) { dims, count in try shimTensor { ctorch_expand(rawHandle, dims, count, $0, $1) } }
    }

    /// Tiled `repeats[i]` times along each dimension (`Tensor.repeat`).
    public func repeated(_ repeats: [Int]) throws -> Tensor {
        try withDims(repeats) { dims, count in try shimTensor { ctorch_repeat(rawHandle, dims, count, $0, $1) } }
    }

    /// Removes `axis` if its size is 1, or every size-1 dimension when `axis` is nil.
    public func squeezed(axis: Int? = nil) throws -> Tensor {
        try shimTensor { ctorch_squeeze(rawHandle, axis != nil, Int64(axis ?? 0), $0, $1) }
    }

    /// Inserts a size-1 dimension at `axis`.
    public func unsqueezed(axis: Int) throws -> Tensor {
        try shimTensor { ctorch_unsqueeze(rawHandle, Int64(axis), $0, $1) }
    }

    /// Merges dimensions `start ... end` into one.
    public func flattened(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try shimTensor { ctorch_flatten(rawHandle, Int64(start), Int64(end), $0, $1) }
    }

    /// Reverses the order of elements along `axes`.
    public func flipped(axes: [Int]) throws -> Tensor {
        try withDims(axes) { dims, count in try shimTensor { ctorch_flip(rawHandle, dims, count, $0, $1) } }
    }

    /// Joins tensors along an existing axis.
    public static func cat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        try withHandles(tensors) { handles in
            try shimTensor { ctorch_cat(handles, handles.count, Int64(axis), $0, $1) }
        }
    }

    /// Joins tensors of equal shape along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        try withHandles(tensors) { handles in
            try shimTensor { ctorch_stack(handles, handles.count, Int64(axis), $0, $1) }
        }
    }

    /// `count` nearly equal consecutive pieces along `axis` (the last may be smaller), as `torch.chunk`.
    public func chunked(_ count: Int, axis: Int = 0) throws -> [Tensor] {
        guard count > 0 else {
            throw TorchError(kind: .invalidValue, message: "chunk count must be positive, got \(count)",
                             operation: "chunked(_:axis:)")
        }
        let dims = shape
        let resolved = axis < 0 ? axis + dims.count : axis
        guard resolved >= 0, resolved < dims.count else {
            throw TorchError(kind: .indexOutOfRange,
                             message: "axis \(axis) is out of range for a tensor of rank \(dims.count)",
                             operation: "chunked(_:axis:)")
        }
        let size = (dims[resolved] + count - 1) / count
        return try stride(from: 0, to: dims[resolved], by: Swift.max(size, 1)).map {
            try slice(axis: resolved, start: $0, end: $0 + size)
        }
    }
}

// Slicing and indexing.
extension Tensor {
    /// Elements `start ..< end` (every `step`-th) along `axis`; negative bounds count from the end,
    /// and `end: nil` means to the end (`x[start:end:step]`). A view.
    public func slice(axis: Int, start: Int = 0, end: Int? = nil, step: Int = 1) throws -> Tensor {
        try shimTensor {
            ctorch_slice(rawHandle, Int64(axis), Int64(start), Int64(end ?? Int(Int64.max)), Int64(step), $0, $1)
        }
    }

    /// The sub-tensor at `index` along `axis`, with that axis removed (`x.select(axis, index)`). A view.
    public func select(axis: Int, index: Int) throws -> Tensor {
        try shimTensor { ctorch_select(rawHandle, Int64(axis), Int64(index), $0, $1) }
    }

    /// Entries along `axis` picked by an int64 index vector (`torch.index_select`).
    public func indexSelect(axis: Int, indices: Tensor) throws -> Tensor {
        try shimTensor { ctorch_index_select(rawHandle, Int64(axis), indices.rawHandle, $0, $1) }
    }

    /// `out[i][j] = self[i][indices[i][j]]` for axis 1, and so on (`torch.gather`).
    public func gather(axis: Int, indices: Tensor) throws -> Tensor {
        try shimTensor { ctorch_gather(rawHandle, Int64(axis), indices.rawHandle, $0, $1) }
    }

    /// A copy with `source` written at `indices` along `axis` (`torch.scatter`).
    public func scatter(axis: Int, indices: Tensor, source: Tensor) throws -> Tensor {
        try shimTensor { ctorch_scatter(rawHandle, Int64(axis), indices.rawHandle, source.rawHandle, $0, $1) }
    }

    /// The elements where the bool `mask` is true, as a 1-D tensor.
    public func maskedSelect(_ mask: Tensor) throws -> Tensor {
        try shimTensor { ctorch_masked_select(rawHandle, mask.rawHandle, $0, $1) }
    }

    /// Indices of non-zero elements, `[count, rank]` int64.
    public func nonzero() throws -> Tensor {
        try shimTensor { ctorch_nonzero(rawHandle, $0, $1) }
    }

    /// One-hot encoding of an int64 class-index tensor: a new last axis of `classCount`.
    public func oneHot(classCount: Int) throws -> Tensor {
        try shimTensor { ctorch_one_hot(rawHandle, Int64(classCount), $0, $1) }
    }
}
