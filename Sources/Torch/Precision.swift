// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// The arithmetic a forward pass runs in. `bf16` and `fp16` are automatic mixed precision
/// (libtorch's autocast): weights, gradients and optimizer state stay float32, and inside
/// ``withAutocast(_:device:_:)`` convolutions and matrix products run in the lower precision while
/// reductions, losses and normalisation statistics stay in float32.
public enum Precision: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case fp32
    case bf16
    case fp16

    /// Parses `fp32`, `bf16` or `fp16` (also `float32`, `bfloat16`, `float16`).
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "fp32", "float32", "32": self = .fp32
        case "bf16", "bfloat16": self = .bf16
        case "fp16", "float16", "half", "16": self = .fp16
        default:
            throw TorchError(kind: .invalidValue, message: "unknown precision '\(text)': expected fp32, bf16 or fp16",
                             operation: "Precision(parsing:)")
        }
    }

    public var description: String { rawValue }

    /// The dtype autocast computes in; nil for fp32.
    public var autocastType: DType? {
        switch self {
        case .fp32: nil
        case .bf16: .bfloat16
        case .fp16: .float16
        }
    }

    /// Whether gradients need loss scaling (fp16's narrow exponent underflows small gradients).
    public var needsLossScaling: Bool { self == .fp16 }

    /// Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX); elsewhere bf16 autocast works
    /// but is emulated and usually slower than fp32.
    public static var cpuHasNativeBFloat16: Bool { ctorch_cpu_has_native_bf16() }

    /// Throws unless this precision can run on `device`: fp16 is for CUDA only (on the CPU libtorch's
    /// half-precision kernels are slow and incomplete; use bf16). Returns a warning to show when it
    /// runs, but poorly: bf16 on a CPU without native bfloat16.
    @discardableResult
    public func validate(on device: Device) throws -> String? {
        switch (self, device) {
        case (.fp16, .cpu):
            throw TorchError(kind: .invalidValue,
                             message: "precision fp16 needs a CUDA device; on the CPU use --precision bf16 (or fp32)",
                             operation: "Precision.validate(on:)")
        case (.bf16, .cpu) where !Precision.cpuHasNativeBFloat16:
            return "this CPU has no native bfloat16 (AVX512-BF16/AMX): bf16 runs emulated and is likely slower than fp32"
        default:
            return nil
        }
    }
}

/// Runs `body` with autocast to `precision` on `device`'s type, on the calling thread, and restores
/// the previous autocast state afterwards (also when `body` throws). With `.fp32` it just runs `body`.
///
/// Tensors created inside keep the dtype autocast gave them (a bf16 convolution returns bf16); cast
/// outputs to float32 before comparing them with float32 results.
public func withAutocast<Result>(_ precision: Precision, device: Device, _ body: () throws -> Result) throws -> Result {
    guard let dtype = precision.autocastType else { return try body() }
    let type = device.cValue.type
    var previous = ctorch_autocast_state(enabled: false, dtype: CTORCH_FLOAT32)
    try shimCall { ctorch_autocast_enter(type, dtype.cValue, &previous, $0) }
    defer { ctorch_autocast_exit(type, previous) }
    return try body()
}

/// Whether autocast is on for `device`'s type on the calling thread.
public func isAutocastEnabled(on device: Device) -> Bool { ctorch_autocast_is_enabled(device.cValue.type) }
