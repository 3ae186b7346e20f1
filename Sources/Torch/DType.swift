// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// Element types a ``Tensor`` can hold; the names are PyTorch's.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    /// Bytes per element.
    public var elementSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: true
        default: false
        }
    }

    public var description: String { rawValue }

    var cValue: ctorch_dtype {
        switch self {
        case .float32: CTORCH_FLOAT32
        case .float64: CTORCH_FLOAT64
        case .float16: CTORCH_FLOAT16
        case .bfloat16: CTORCH_BFLOAT16
        case .int64: CTORCH_INT64
        case .int32: CTORCH_INT32
        case .int16: CTORCH_INT16
        case .int8: CTORCH_INT8
        case .uint8: CTORCH_UINT8
        case .bool: CTORCH_BOOL
        }
    }

    init(_ value: ctorch_dtype) {
        switch value {
        case CTORCH_FLOAT32: self = .float32
        case CTORCH_FLOAT64: self = .float64
        case CTORCH_FLOAT16: self = .float16
        case CTORCH_BFLOAT16: self = .bfloat16
        case CTORCH_INT64: self = .int64
        case CTORCH_INT32: self = .int32
        case CTORCH_INT16: self = .int16
        case CTORCH_INT8: self = .int8
        case CTORCH_UINT8: self = .uint8
        default: self = .bool
        }
    }
}

/// Swift types that can be copied to and from tensors of one ``DType``.
public protocol TensorElement: Sendable {
    /// The tensor dtype whose elements have exactly this memory layout.
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
/// `Int` is 64-bit on every platform Scalpel supports.
extension Int: TensorElement { public static var dtype: DType { .int64 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension Int16: TensorElement { public static var dtype: DType { .int16 } }
extension Int8: TensorElement { public static var dtype: DType { .int8 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
