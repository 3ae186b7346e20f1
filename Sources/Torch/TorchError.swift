// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// An error raised by libtorch (or by a check in the C shim) and carried across the C boundary.
///
/// `description` reads `operation: message`, e.g. `matmul(_:): mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)`.
public struct TorchError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Which of libtorch's exception classes the failure came from.
    public enum Kind: Sendable, Equatable {
        case invalidValue, indexOutOfRange, invalidType, notImplemented, outOfMemory, linearAlgebra
        case torch, standardLibrary, unknown
    }

    public var kind: Kind
    /// libtorch's message without the C++ backtrace.
    public var message: String
    /// The Swift API that failed, e.g. `conv2d(weight:bias:stride:padding:dilation:groups:)`.
    public var operation: String
    /// libtorch's full text, backtrace included: for logs, not for users.
    public var detail: String

    public init(kind: Kind, message: String, operation: String, detail: String = "") {
        self.kind = kind
        self.message = message
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "\(operation): \(message)" }
}
