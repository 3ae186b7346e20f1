// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

extension Tensor {
    /// A tensor of `shape` filled with `value` (`torch.full`).
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float32, on device: Device = .cpu) throws -> Tensor {
        try filled(shape, value, dtype, device)
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32, on device: Device = .cpu) throws -> Tensor {
        try filled(shape, 0, dtype, device)
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, on device: Device = .cpu) throws -> Tensor {
        try filled(shape, 1, dtype, device)
    }

    /// `torch.full`, reporting errors as `operation` (the public API the caller used).
    static func filled(_ shape: [Int], _ value: Double, _ dtype: DType, _ device: Device,
                       _ operation: String = #function) throws -> Tensor {
        try withDims(shape) { dims, count in
            try shimTensor(operation) { ctorch_full(dims, count, value, dtype.cValue, device.cValue, $0, $1) }
        }
    }

    /// Uninitialised memory: every element must be written before it is read.
    public static func empty(_ shape: [Int], dtype: DType = .float32, on device: Device = .cpu) throws -> Tensor {
        try withDims(shape) { dims, count in
            try shimTensor { ctorch_empty(dims, count, dtype.cValue, device.cValue, $0, $1) }
        }
    }

    /// `start, start + step, …` up to but excluding `end` (`torch.arange`).
    public static func arange(from start: Double = 0, to end: Double, step: Double = 1, dtype: DType = .int64,
                              on device: Device = .cpu) throws -> Tensor {
        try shimTensor { ctorch_arange(start, end, step, dtype.cValue, device.cValue, $0, $1) }
    }

    /// `count` evenly spaced values from `start` to `end` inclusive (`torch.linspace`).
    public static func linspace(from start: Double, to end: Double, count: Int, dtype: DType = .float32,
                                on device: Device = .cpu) throws -> Tensor {
        try shimTensor { ctorch_linspace(start, end, Int64(count), dtype.cValue, device.cValue, $0, $1) }
    }

    /// The `n × n` identity matrix.
    public static func eye(_ n: Int, dtype: DType = .float32, on device: Device = .cpu) throws -> Tensor {
        try shimTensor { ctorch_eye(Int64(n), dtype.cValue, device.cValue, $0, $1) }
    }

    /// Uniform samples in [0, 1) drawn from `generator` (libtorch's default generator when nil).
    public static func rand(_ shape: [Int], generator: Generator? = nil, dtype: DType = .float32,
                            on device: Device = .cpu) throws -> Tensor {
        try withExtendedLifetime(generator) {
            try withDims(shape) { dims, count in
                try shimTensor { ctorch_rand(dims, count, generator?.rawHandle, dtype.cValue, device.cValue, $0, $1) }
            }
        }
    }

    /// Standard normal samples drawn from `generator`.
    public static func randn(_ shape: [Int], generator: Generator? = nil, dtype: DType = .float32,
                             on device: Device = .cpu) throws -> Tensor {
        try withExtendedLifetime(generator) {
            try withDims(shape) { dims, count in
                try shimTensor { ctorch_randn(dims, count, generator?.rawHandle, dtype.cValue, device.cValue, $0, $1) }
            }
        }
    }

    /// Integers uniform in `low ..< high` drawn from `generator`.
    public static func randint(low: Int = 0, high: Int, shape: [Int], generator: Generator? = nil,
                               dtype: DType = .int64, on device: Device = .cpu) throws -> Tensor {
        try withExtendedLifetime(generator) {
            try withDims(shape) { dims, count in
                try shimTensor {
                    ctorch_randint(Int64(low), Int64(high), dims, count, generator?.rawHandle, dtype.cValue,
                                   device.cValue, $0, $1)
                }
            }
        }
    }

    /// A random permutation of `0 ..< n` (int64).
    public static func randperm(_ n: Int, generator: Generator? = nil, on device: Device = .cpu) throws -> Tensor {
        try withExtendedLifetime(generator) {
            try shimTensor { ctorch_randperm(Int64(n), generator?.rawHandle, device.cValue, $0, $1) }
        }
    }

    /// Bernoulli(p) draws (0 or 1) in this tensor's shape, dtype and device.
    public func bernoulli(probability p: Double, generator: Generator? = nil) throws -> Tensor {
        try withExtendedLifetime(generator) {
            try shimTensor { ctorch_bernoulli(rawHandle, p, generator?.rawHandle, $0, $1) }
        }
    }

    /// Copies host values, row-major, into a new CPU tensor of the element type's dtype.
    ///
    /// - Throws: ``TorchError`` when `values.count` is not the product of `shape`.
    public convenience init<Element: TensorElement>(_ values: [Element], shape: [Int]) throws {
        let expected = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), expected == values.count else {
            throw TorchError(kind: .invalidValue,
                             message: "\(values.count) values cannot fill shape \(shape) (\(expected) elements)",
                             operation: "Tensor(_:shape:)")
        }
        var out: ctorch_tensor? = nil
        try values.withUnsafeBytes { bytes in
            try withDims(shape) { dims, count in
                try shimCall("Tensor(_:shape:)") {
                    ctorch_from_host(bytes.baseAddress, bytes.count, dims, count, Element.dtype.cValue, &out, $0)
                }
            }
        }
        self.init(adopting: out!)
    }

    /// A one-dimensional tensor holding `values`.
    public convenience init<Element: TensorElement>(_ values: [Element]) throws {
        try self.init(values, shape: [values.count])
    }

    /// A zero-dimensional tensor holding `value`.
    public static func scalar(_ value: Double, dtype: DType = .float32, on device: Device = .cpu) throws -> Tensor {
        try full([], value: value, dtype: dtype, on: device)
    }

    /// Builds a tensor from raw little-endian bytes laid out contiguously in `dtype` (weight files).
    public static func fromBytes(_ bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws -> Tensor {
        try withDims(shape) { dims, count in
            try shimTensor { ctorch_from_host(bytes.baseAddress, bytes.count, dims, count, dtype.cValue, $0, $1) }
        }
    }

    /// A tensor like this one (shape, dtype, device) filled with `value`.
    public func full(like value: Double) throws -> Tensor {
        try Tensor.full(shape, value: value, dtype: dtype, on: device)
    }

    public func zerosLike() throws -> Tensor { try full(like: 0) }
    public func onesLike() throws -> Tensor { try full(like: 1) }
}
