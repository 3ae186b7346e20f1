// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// Process-wide libtorch settings. Set them once, at program start (the CLI's entry point does);
/// library code never changes them.
public enum TorchRuntime {
    /// The libtorch version this build links, e.g. `2.15.0`.
    public static var version: String { String(cString: ctorch_version()) }

    /// Threads libtorch's intra-op pool uses.
    public static var threadCount: Int { Int(ctorch_get_num_threads()) }

    /// Seeds libtorch's default generators, sets the intra-op thread count and, if asked,
    /// restricts libtorch to deterministic algorithms.
    public static func configure(seed: UInt64? = nil, threads: Int? = nil, deterministic: Bool = false) throws {
        if let threads {
            guard threads > 0 else {
                throw TorchError(kind: .invalidValue, message: "thread count must be positive, got \(threads)",
                                 operation: "TorchRuntime.configure(seed:threads:deterministic:)")
            }
            ctorch_set_num_threads(Int32(clamping: threads))
        }
        if let seed { ctorch_manual_seed(seed) }
        if deterministic { try shimCall { ctorch_set_deterministic(true, $0) } }
    }

    /// Waits for all queued work on a CUDA device (for timing).
    public static func synchronize(_ device: Device) throws {
        guard case .cuda(let index) = device else { return }
        try shimCall { ctorch_cuda_synchronize(Int32(index), $0) }
    }
}
