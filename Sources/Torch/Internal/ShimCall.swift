// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// Runs one shim call and throws ``TorchError`` unless it returned `CTORCH_OK`.
/// This is the only place that reads a `ctorch_status`.
@inline(__always)
func shimCall(
    _ operation: String = #function,
    _ body: (UnsafeMutablePointer<ctorch_error?>) -> ctorch_status
) throws {
    var error: ctorch_error? = nil
    let status = body(&error)
    guard status != CTORCH_OK else { return }
    defer { ctorch_error_free(error) }
    throw TorchError(status: status, record: error, operation: operation)
}

/// Runs a shim call that yields one tensor and adopts the +1 handle.
@inline(__always)
func shimTensor(
    _ operation: String = #function,
    _ body: (UnsafeMutablePointer<ctorch_tensor?>, UnsafeMutablePointer<ctorch_error?>) -> ctorch_status
) throws -> Tensor {
    var out: ctorch_tensor? = nil
    try shimCall(operation) { body(&out, $0) }
    guard let handle = out else {
        throw TorchError(kind: .unknown, message: "the shim returned no tensor", operation: operation)
    }
    return Tensor(adopting: handle)
}

/// Runs a shim call that yields two tensors (values and indices, Q and R, ...).
@inline(__always)
func shimTensorPair(
    _ operation: String = #function,
    _ body: (UnsafeMutablePointer<ctorch_tensor?>, UnsafeMutablePointer<ctorch_tensor?>,
             UnsafeMutablePointer<ctorch_error?>) -> ctorch_status
) throws -> (Tensor, Tensor) {
    var first: ctorch_tensor? = nil
    var second: ctorch_tensor? = nil
    try shimCall(operation) { body(&first, &second, $0) }
    guard let a = first, let b = second else {
        ctorch_tensor_free(first)
        ctorch_tensor_free(second)
        throw TorchError(kind: .unknown, message: "the shim returned no tensor", operation: operation)
    }
    return (Tensor(adopting: a), Tensor(adopting: b))
}

/// Lends the raw handles of several tensors at once, in order, for the duration of `body`.
func withHandles<R>(_ tensors: [Tensor], _ body: ([ctorch_tensor?]) throws -> R) rethrows -> R {
    try withExtendedLifetime(tensors) {
        try body(tensors.map { $0.rawHandle })
    }
}

/// Lends optional handles (NULL where absent).
func withOptionalHandles<R>(_ tensors: [Tensor?], _ body: ([ctorch_tensor?]) throws -> R) rethrows -> R {
    try withExtendedLifetime(tensors) {
        try body(tensors.map { $0?.rawHandle })
    }
}

extension TorchError {
    init(status: ctorch_status, record: ctorch_error?, operation: String) {
        let kind: Kind
        switch status {
        case CTORCH_ERROR_VALUE: kind = .invalidValue
        case CTORCH_ERROR_INDEX: kind = .indexOutOfRange
        case CTORCH_ERROR_TYPE: kind = .invalidType
        case CTORCH_ERROR_NOT_IMPLEMENTED: kind = .notImplemented
        case CTORCH_ERROR_LINALG: kind = .linearAlgebra
        case CTORCH_ERROR_OUT_OF_MEMORY: kind = .outOfMemory
        case CTORCH_ERROR_TORCH: kind = .torch
        case CTORCH_ERROR_STD: kind = .standardLibrary
        default: kind = .unknown
        }
        let message = record.map { String(cString: ctorch_error_message($0)) } ?? "no message (error record unavailable)"
        let detail = record.map { String(cString: ctorch_error_detail($0)) } ?? ""
        self.init(kind: kind, message: message, operation: operation, detail: detail)
    }
}

/// Shape arrays cross the boundary as pointers to Int64.
@inline(__always)
func withDims<R>(_ dims: [Int], _ body: (UnsafePointer<Int64>, Int) throws -> R) rethrows -> R {
    let values = dims.map(Int64.init)
    return try values.withUnsafeBufferPointer { buffer in
        // An empty array still needs a valid pointer.
        try body(buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!, buffer.count)
    }
}
