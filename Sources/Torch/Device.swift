// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// Where a tensor's memory lives. Nothing moves between devices unless a call names the move.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// Parses `cpu`, `cuda` (= `cuda:0`) or `cuda:N`.
    public init(parsing text: String) throws {
        let lowered = text.lowercased()
        if lowered == "cpu" {
            self = .cpu
        } else if lowered == "cuda" || lowered == "gpu" {
            self = .cuda(0)
        } else if lowered.hasPrefix("cuda:"), let index = Int(lowered.dropFirst(5)), index >= 0 {
            self = .cuda(index)
        } else {
            throw TorchError(kind: .invalidValue,
                             message: "unknown device '\(text)': expected cpu, cuda or cuda:N (N >= 0)",
                             operation: "Device(parsing:)")
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .cuda(let index): "cuda:\(index)"
        }
    }

    /// Whether a CUDA device can be used (a GPU, its driver, and a build that links torch_cuda).
    public static var isCUDAAvailable: Bool { ctorch_cuda_is_available() }
    /// Number of CUDA devices visible (0 without CUDA).
    public static var cudaDeviceCount: Int { Int(ctorch_cuda_device_count()) }
    /// Whether this build links torch_cuda (set up with `scripts/setup --cuda`).
    public static var isCUDALinked: Bool { ctorch_cuda_is_linked() }

    /// Throws unless this device exists here: a clear message instead of a failure deep inside an op.
    public func validate() throws {
        guard case .cuda(let index) = self else { return }
        guard Device.isCUDAAvailable else {
            let reason = Device.isCUDALinked
                ? "no NVIDIA GPU or driver is visible"
                : "this build does not link torch_cuda (run scripts/setup --cuda on a GPU machine and rebuild)"
            throw TorchError(kind: .invalidValue, message: "device \(self) requested but CUDA is not available: \(reason)",
                             operation: "Device.validate()")
        }
        guard index < Device.cudaDeviceCount else {
            throw TorchError(kind: .invalidValue,
                             message: "device \(self) does not exist: this machine has \(Device.cudaDeviceCount) CUDA device(s)",
                             operation: "Device.validate()")
        }
    }

    var cValue: ctorch_device {
        switch self {
        case .cpu: ctorch_device(type: CTORCH_DEVICE_CPU, index: -1)
        case .cuda(let index): ctorch_device(type: CTORCH_DEVICE_CUDA, index: Int32(clamping: index))
        }
    }

    init(_ value: ctorch_device) {
        self = value.type == CTORCH_DEVICE_CUDA ? .cuda(Int(value.index)) : .cpu
    }
}

/// How a 4-D tensor's elements are ordered in memory.
public enum MemoryFormat: Sendable {
    /// NCHW, row-major.
    case contiguous
    /// NHWC: what oneDNN's convolutions prefer on the CPU.
    case channelsLast
    /// Keep the input's layout.
    case preserve

    var cValue: ctorch_memory_format {
        switch self {
        case .contiguous: CTORCH_CONTIGUOUS
        case .channelsLast: CTORCH_CHANNELS_LAST
        case .preserve: CTORCH_PRESERVE
        }
    }
}

/// Encoded as its text (`"cpu"`, `"cuda:0"`), the form `--device` takes and run folders record.
extension Device: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            self = try Device(parsing: try container.decode(String.self))
        } catch let error as TorchError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
