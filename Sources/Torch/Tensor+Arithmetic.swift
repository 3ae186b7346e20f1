// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

// Element-wise arithmetic with broadcasting. Scalars follow Python's rules: an `Int` keeps an
// integer tensor integral, a `Double` promotes it to the default floating dtype.
extension Tensor {
    func binary(_ op: ctorch_binary_op, _ other: Tensor, _ operation: String = #function) throws -> Tensor {
        try shimTensor(operation) { ctorch_binary(op, rawHandle, other.rawHandle, $0, $1) }
    }

    func binary(_ op: ctorch_binary_op, scalar: Double, integral: Bool = false, scalarFirst: Bool = false,
                _ operation: String = #function) throws -> Tensor {
        let value = ctorch_scalar(value: scalar, is_integral: integral)
        return try shimTensor(operation) { ctorch_binary_scalar(op, rawHandle, value, scalarFirst, $0, $1) }
    }

    func unary(_ op: ctorch_unary_op, _ operation: String = #function) throws -> Tensor {
        try shimTensor(operation) { ctorch_unary(op, rawHandle, $0, $1) }
    }

    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(CTORCH_ADD, rhs, "+") }
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(CTORCH_SUB, rhs, "-") }
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(CTORCH_MUL, rhs, "*") }
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.binary(CTORCH_DIV, rhs, "/") }

    public static func + (lhs: Tensor, rhs: Double) throws -> Tensor { try lhs.binary(CTORCH_ADD, scalar: rhs) }
    public static func - (lhs: Tensor, rhs: Double) throws -> Tensor { try lhs.binary(CTORCH_SUB, scalar: rhs) }
    public static func * (lhs: Tensor, rhs: Double) throws -> Tensor { try lhs.binary(CTORCH_MUL, scalar: rhs) }
    public static func / (lhs: Tensor, rhs: Double) throws -> Tensor { try lhs.binary(CTORCH_DIV, scalar: rhs) }
    public static func + (lhs: Double, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_ADD, scalar: lhs, scalarFirst: true)
    }
    public static func - (lhs: Double, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_SUB, scalar: lhs, scalarFirst: true)
    }
    public static func * (lhs: Double, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_MUL, scalar: lhs, scalarFirst: true)
    }
    public static func / (lhs: Double, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_DIV, scalar: lhs, scalarFirst: true)
    }

    public static func + (lhs: Tensor, rhs: Int) throws -> Tensor {
        try lhs.binary(CTORCH_ADD, scalar: Double(rhs), integral: true)
    }
    public static func - (lhs: Tensor, rhs: Int) throws -> Tensor {
        try lhs.binary(CTORCH_SUB, scalar: Double(rhs), integral: true)
    }
    public static func * (lhs: Tensor, rhs: Int) throws -> Tensor {
        try lhs.binary(CTORCH_MUL, scalar: Double(rhs), integral: true)
    }
    /// True division: the result is floating point even for integer tensors (PyTorch's `/`).
    public static func / (lhs: Tensor, rhs: Int) throws -> Tensor {
        try lhs.binary(CTORCH_DIV, scalar: Double(rhs), integral: true)
    }

    // An Int on the left keeps an integer tensor integral too (`2 - x` is int64 for int64 `x`, as in Python);
    // without these, an integer literal there would become a Double and promote the result to float.
    public static func + (lhs: Int, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_ADD, scalar: Double(lhs), integral: true, scalarFirst: true)
    }
    public static func - (lhs: Int, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_SUB, scalar: Double(lhs), integral: true, scalarFirst: true)
    }
    public static func * (lhs: Int, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_MUL, scalar: Double(lhs), integral: true, scalarFirst: true)
    }
    /// True division: floating point even for integer tensors.
    public static func / (lhs: Int, rhs: Tensor) throws -> Tensor {
        try rhs.binary(CTORCH_DIV, scalar: Double(lhs), integral: true, scalarFirst: true)
    }

    public static prefix func - (operand: Tensor) throws -> Tensor { try operand.unary(CTORCH_NEG, "-") }

    /// Element-wise power with broadcasting.
    public func pow(_ exponent: Tensor) throws -> Tensor { try binary(CTORCH_POW, exponent) }
    public func pow(_ exponent: Double) throws -> Tensor { try binary(CTORCH_POW, scalar: exponent) }
    /// Python's `%`: the result has the sign of the divisor.
    public func remainder(_ divisor: Tensor) throws -> Tensor { try binary(CTORCH_REMAINDER, divisor) }
    public func remainder(_ divisor: Double) throws -> Tensor { try binary(CTORCH_REMAINDER, scalar: divisor) }
    /// Keeps integer tensors integral.
    public func remainder(_ divisor: Int) throws -> Tensor {
        try binary(CTORCH_REMAINDER, scalar: Double(divisor), integral: true)
    }
    /// Python's `//`.
    public func floorDivide(_ divisor: Tensor) throws -> Tensor { try binary(CTORCH_FLOOR_DIVIDE, divisor) }
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(CTORCH_MAXIMUM, other) }
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(CTORCH_MINIMUM, other) }
    public func atan2(_ other: Tensor) throws -> Tensor { try binary(CTORCH_ATAN2, other) }

    /// Matrix product with NumPy/PyTorch broadcasting rules (`torch.matmul`).
    public func matmul(_ other: Tensor) throws -> Tensor {
        try shimTensor { ctorch_matmul(rawHandle, other.rawHandle, $0, $1) }
    }

    /// Limits each element to [min, max]; nil leaves that side open.
    public func clamped(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try shimTensor { ctorch_clamp(rawHandle, min != nil, min ?? 0, max != nil, max ?? 0, $0, $1) }
    }

    /// `condition ? a : b`, element-wise with broadcasting (`torch.where`).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try shimTensor { ctorch_where(condition.rawHandle, a.rawHandle, b.rawHandle, $0, $1) }
    }

    /// A copy with `value` wherever `mask` is true.
    public func maskedFill(_ mask: Tensor, with value: Double) throws -> Tensor {
        try shimTensor { ctorch_masked_fill(rawHandle, mask.rawHandle, value, $0, $1) }
    }
}

// Element-wise math.
extension Tensor {
    public func abs() throws -> Tensor { try unary(CTORCH_ABS) }
    public func exp() throws -> Tensor { try unary(CTORCH_EXP) }
    public func log() throws -> Tensor { try unary(CTORCH_LOG) }
    public func log2() throws -> Tensor { try unary(CTORCH_LOG2) }
    public func log1p() throws -> Tensor { try unary(CTORCH_LOG1P) }
    public func expm1() throws -> Tensor { try unary(CTORCH_EXPM1) }
    public func sqrt() throws -> Tensor { try unary(CTORCH_SQRT) }
    public func rsqrt() throws -> Tensor { try unary(CTORCH_RSQRT) }
    public func square() throws -> Tensor { try unary(CTORCH_SQUARE) }
    public func reciprocal() throws -> Tensor { try unary(CTORCH_RECIPROCAL) }
    public func sin() throws -> Tensor { try unary(CTORCH_SIN) }
    public func cos() throws -> Tensor { try unary(CTORCH_COS) }
    public func tan() throws -> Tensor { try unary(CTORCH_TAN) }
    public func tanh() throws -> Tensor { try unary(CTORCH_TANH) }
    public func erf() throws -> Tensor { try unary(CTORCH_ERF) }
    public func floor() throws -> Tensor { try unary(CTORCH_FLOOR) }
    public func ceil() throws -> Tensor { try unary(CTORCH_CEIL) }
    public func rounded() throws -> Tensor { try unary(CTORCH_ROUND) }
    public func truncated() throws -> Tensor { try unary(CTORCH_TRUNC) }
    public func sign() throws -> Tensor { try unary(CTORCH_SIGN) }
    public func isNaN() throws -> Tensor { try unary(CTORCH_ISNAN) }
    public func isInfinite() throws -> Tensor { try unary(CTORCH_ISINF) }
    public func isFinite() throws -> Tensor { try unary(CTORCH_ISFINITE) }

    /// Whether any element is NaN (a host round trip).
    public func containsNaN() throws -> Bool { try isNaN().any().item() != 0 }

    /// Throws ``TorchError`` naming `what` when any element is NaN or infinite.
    public func checkFinite(_ what: String) throws {
        if try isFinite().all().item() == 0 {
            throw TorchError(kind: .invalidValue, message: "\(what) contains NaN or infinite values",
                             operation: "checkFinite(_:)")
        }
    }
}

// In-place operations that autograd records (PyTorch's `relu_` and `add_`): they save an allocation
// and a pass over memory, and are valid only where backward does not need the overwritten value
// (a batch norm's or a sum's output, as torchvision's ResNet uses them).
extension Tensor {
    /// Replaces every element by max(x, 0), in place, recorded by autograd; returns `self`.
    @discardableResult
    public func reluInPlace() throws -> Tensor {
        try shimCall { ctorch_relu_inplace(rawHandle, $0) }
        return self
    }

    /// Adds `other` (broadcast to this shape) in place, recorded by autograd; returns `self`.
    /// Unlike ``addInPlace(_:scaledBy:)``, which updates weights outside autograd.
    @discardableResult
    public func addRecordingInPlace(_ other: Tensor) throws -> Tensor {
        try shimCall { ctorch_add_inplace(rawHandle, other.rawHandle, $0) }
        return self
    }
}

// Activations (`torch.nn.functional`).
extension Tensor {
    public func relu() throws -> Tensor { try unary(CTORCH_RELU) }
    /// min(max(x, 0), 6), as in MobileNet and EfficientNet-Lite.
    public func relu6() throws -> Tensor { try unary(CTORCH_RELU6) }
    public func leakyReLU(slope: Double = 0.01) throws -> Tensor {
        try shimTensor { ctorch_leaky_relu(rawHandle, slope, $0, $1) }
    }
    public func sigmoid() throws -> Tensor { try unary(CTORCH_SIGMOID) }
    /// x · sigmoid(x), also called swish.
    public func silu() throws -> Tensor { try unary(CTORCH_SILU) }
    public func hardswish() throws -> Tensor { try unary(CTORCH_HARDSWISH) }
    public func hardsigmoid() throws -> Tensor { try unary(CTORCH_HARDSIGMOID) }
    public func softplus() throws -> Tensor { try unary(CTORCH_SOFTPLUS) }
    public func mish() throws -> Tensor { try unary(CTORCH_MISH) }
    public func elu() throws -> Tensor { try unary(CTORCH_ELU) }

    /// GELU with the exact erf form, or the tanh approximation.
    public func gelu(approximateTanh: Bool = false) throws -> Tensor {
        try unary(approximateTanh ? CTORCH_GELU_TANH : CTORCH_GELU)
    }

    public func softmax(axis: Int) throws -> Tensor {
        try shimTensor { ctorch_softmax(rawHandle, Int64(axis), false, $0, $1) }
    }

    public func logSoftmax(axis: Int) throws -> Tensor {
        try shimTensor { ctorch_softmax(rawHandle, Int64(axis), true, $0, $1) }
    }
}

// Comparisons and logic: results are bool tensors.
extension Tensor {
    public func eq(_ other: Tensor) throws -> Tensor { try binary(CTORCH_EQ, other) }
    public func ne(_ other: Tensor) throws -> Tensor { try binary(CTORCH_NE, other) }
    public func lt(_ other: Tensor) throws -> Tensor { try binary(CTORCH_LT, other) }
    public func le(_ other: Tensor) throws -> Tensor { try binary(CTORCH_LE, other) }
    public func gt(_ other: Tensor) throws -> Tensor { try binary(CTORCH_GT, other) }
    public func ge(_ other: Tensor) throws -> Tensor { try binary(CTORCH_GE, other) }
    public func eq(_ value: Double) throws -> Tensor { try binary(CTORCH_EQ, scalar: value) }
    public func ne(_ value: Double) throws -> Tensor { try binary(CTORCH_NE, scalar: value) }
    public func lt(_ value: Double) throws -> Tensor { try binary(CTORCH_LT, scalar: value) }
    public func le(_ value: Double) throws -> Tensor { try binary(CTORCH_LE, scalar: value) }
    public func gt(_ value: Double) throws -> Tensor { try binary(CTORCH_GT, scalar: value) }
    public func ge(_ value: Double) throws -> Tensor { try binary(CTORCH_GE, scalar: value) }
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try binary(CTORCH_LOGICAL_AND, other) }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try binary(CTORCH_LOGICAL_OR, other) }
    public func logicalXor(_ other: Tensor) throws -> Tensor { try binary(CTORCH_LOGICAL_XOR, other) }
    public func logicalNot() throws -> Tensor { try unary(CTORCH_LOGICAL_NOT) }
}
