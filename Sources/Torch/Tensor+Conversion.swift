// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

extension Tensor {
    /// This tensor converted to `dtype` (itself when it already has it).
    public func to(dtype: DType) throws -> Tensor {
        try shimTensor { ctorch_to_dtype(rawHandle, dtype.cValue, $0, $1) }
    }

    /// This tensor copied to `device` (itself when it is already there).
    public func to(device: Device) throws -> Tensor {
        try shimTensor { ctorch_to_device(rawHandle, device.cValue, $0, $1) }
    }

    /// A copy on `device`. With `nonBlocking`, a copy from pinned host memory (``pinned()``) to a GPU
    /// returns at once and overlaps with the host's work; the device stream orders it before later kernels.
    public func to(device: Device, nonBlocking: Bool) throws -> Tensor {
        try shimTensor { ctorch_to_device_non_blocking(rawHandle, device.cValue, nonBlocking, $0, $1) }
    }

    /// A copy of this CPU tensor in page-locked (pinned) host memory, which GPUs copy from
    /// asynchronously. Needs a CUDA runtime; throws on a machine without one.
    public func pinned() throws -> Tensor {
        try shimTensor { ctorch_pin_memory(rawHandle, $0, $1) }
    }

    /// Whether the tensor lives in pinned host memory.
    public var isPinned: Bool { ctorch_is_pinned(rawHandle) }

    /// A dense copy in `format` (itself when it already is).
    public func contiguous(_ format: MemoryFormat = .contiguous) throws -> Tensor {
        try shimTensor { ctorch_contiguous(rawHandle, format.cValue, $0, $1) }
    }

    /// Shorthand for `contiguous(.channelsLast)` (NHWC memory order, same logical shape).
    public func channelsLast() throws -> Tensor { try contiguous(.channelsLast) }

    /// A copy with its own storage (autograd records it).
    public func clone() throws -> Tensor {
        try shimTensor { ctorch_clone(rawHandle, $0, $1) }
    }
}

// In-place updates: loading weights, optimizer steps and initialisation. They run outside autograd.
extension Tensor {
    /// Copies `source`'s values into this tensor (same shape; dtype and device converted as needed).
    public func copyInPlace(from source: Tensor) throws {
        try shimCall { ctorch_copy_(rawHandle, source.rawHandle, $0) }
    }

    public func fillInPlace(_ value: Double) throws {
        try shimCall { ctorch_fill_(rawHandle, value, $0) }
    }

    /// `self += alpha * other`.
    public func addInPlace(_ other: Tensor, scaledBy alpha: Double = 1) throws {
        try shimCall { ctorch_add_(rawHandle, other.rawHandle, alpha, $0) }
    }

    public func multiplyInPlace(by factor: Double) throws {
        try shimCall { ctorch_mul_scalar_(rawHandle, factor, $0) }
    }

    /// Fills with uniform samples in [low, high).
    public func uniformInPlace(low: Double, high: Double, generator: Generator? = nil) throws {
        try withExtendedLifetime(generator) {
            try shimCall { ctorch_uniform_(rawHandle, low, high, generator?.rawHandle, $0) }
        }
    }

    /// Fills with normal samples.
    public func normalInPlace(mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws {
        try withExtendedLifetime(generator) {
            try shimCall { ctorch_normal_(rawHandle, mean, std, generator?.rawHandle, $0) }
        }
    }

    /// Replaces shape and values while keeping this tensor's identity (PyTorch's `param.data = other`).
    public func setData(_ data: Tensor) throws {
        try shimCall { ctorch_set_data(rawHandle, data.rawHandle, $0) }
    }
}
