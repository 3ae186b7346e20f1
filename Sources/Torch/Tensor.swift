// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// An n-dimensional libtorch tensor.
///
/// `Tensor` has reference semantics: copies of the reference share storage, and views
/// (``reshaped(to:)``, ``slice(axis:start:end:step:)``, ...) may alias it. Operations return new
/// tensors; the only in-place updates are the ones named `…InPlace` (loading weights, optimizer steps,
/// initialisation). Every operation that reaches libtorch `throws` ``TorchError``, operators included,
/// so a wrong shape, dtype or device is an error the caller can report, never a crash.
///
/// `Tensor` is not `Sendable`: hand host data (``hostArray(of:)``) across isolation domains instead.
public final class Tensor {
    /// Owned +1 handle, freed exactly once in `deinit`.
    let rawHandle: ctorch_tensor

    /// Adopts a +1 handle returned by the shim. Do not free it afterwards.
    init(adopting handle: ctorch_tensor) {
        rawHandle = handle
    }

    deinit {
        ctorch_tensor_free(rawHandle)
    }

    /// Number of tensor handles alive in this process; tests use it to prove nothing leaks.
    public static var liveCount: Int { Int(ctorch_live_tensor_count()) }

    /// Sizes of each dimension, PyTorch's `tensor.shape`.
    public var shape: [Int] {
        let count = Int(ctorch_tensor_ndim(rawHandle))
        var sizes = [Int64](repeating: 0, count: count)
        sizes.withUnsafeMutableBufferPointer { ctorch_tensor_sizes(rawHandle, $0.baseAddress, count) }
        return sizes.map(Int.init)
    }

    /// Element strides of each dimension.
    public var strides: [Int] {
        let count = Int(ctorch_tensor_ndim(rawHandle))
        var values = [Int64](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { ctorch_tensor_strides(rawHandle, $0.baseAddress, count) }
        return values.map(Int.init)
    }

    /// Number of dimensions.
    public var rank: Int { Int(ctorch_tensor_ndim(rawHandle)) }

    /// Total number of elements.
    public var elementCount: Int { Int(ctorch_tensor_numel(rawHandle)) }

    public var dtype: DType {
        var value = CTORCH_FLOAT32
        var error: ctorch_error? = nil
        let status = ctorch_tensor_dtype(rawHandle, &value, &error)
        if status != CTORCH_OK {
            let message = error.map { String(cString: ctorch_error_message($0)) } ?? ""
            ctorch_error_free(error)
            preconditionFailure("tensor has a dtype Scalpel does not support: \(message)")
        }
        return DType(value)
    }

    public var device: Device { Device(ctorch_tensor_device(rawHandle)) }

    /// Whether autograd records operations on this tensor.
    public var requiresGradient: Bool { ctorch_tensor_requires_grad(rawHandle) }

    /// Whether this tensor was created by the user rather than computed by a recorded operation.
    public var isLeaf: Bool { ctorch_tensor_is_leaf(rawHandle) }

    /// Whether the elements are laid out densely in the given format.
    public func isContiguous(_ format: MemoryFormat = .contiguous) -> Bool {
        ctorch_tensor_is_contiguous(rawHandle, format.cValue)
    }

    /// Whether both tensors view the same storage.
    public func sharesStorage(with other: Tensor) -> Bool {
        ctorch_tensor_shares_storage(rawHandle, other.rawHandle)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        "Tensor(shape: \(shape), dtype: \(dtype), device: \(device)\(requiresGradient ? ", requiresGradient" : ""))"
    }
}
