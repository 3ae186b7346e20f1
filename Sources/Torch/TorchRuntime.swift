// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch
import Foundation

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
            guard threads <= InputLimits.maximumThreads else {
                throw TorchError(kind: .invalidValue, message: "thread count \(threads) is more than 4 per core (this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores); use at most \(InputLimits.maximumThreads), or leave it out to use one per core",
                                 operation: "TorchRuntime.configure(seed:threads:deterministic:)")
            }
            ctorch_set_num_threads(Int32(clamping: threads))
        }
        if let seed { ctorch_manual_seed(seed) }
        if deterministic { try shimCall { ctorch_set_deterministic(true, $0) } }
    }

    /// The state of libtorch's default CPU generator (what dropout and sampling without a
    /// ``Generator`` draw from), as a uint8 tensor; a resumed run restores it.
    public static func defaultGeneratorState() throws -> Tensor {
        try shimTensor { ctorch_default_generator_get_state($0, $1) }
    }

    /// Restores a state returned by ``defaultGeneratorState()``.
    public static func setDefaultGeneratorState(_ state: Tensor) throws {
        try shimCall { ctorch_default_generator_set_state(state.rawHandle, $0) }
    }

    /// Waits for all queued work on a CUDA device (for timing).
    public static func synchronize(_ device: Device) throws {
        guard case .cuda(let index) = device else { return }
        try shimCall { ctorch_cuda_synchronize(Int32(index), $0) }
    }
}

/// Scalpel's caching CPU allocator: freed tensor memory of 128 KiB and more is kept for reuse instead
/// of being returned to the system and page-faulted back in on the next training step.
///
/// It is on unless the environment sets `SCALPEL_CPU_ALLOCATOR=system`; `SCALPEL_CPU_CACHE_MB`
/// bounds what it keeps (default: half the physical memory).
public enum CPUMemoryCache {
    public struct Statistics: Sendable, Equatable {
        /// Bytes held in free blocks, ready for reuse.
        public var cachedBytes: UInt64
        public var limitBytes: UInt64
        /// Large allocations served from the cache / from the system.
        public var hits: UInt64
        public var misses: UInt64
    }

    public static var isEnabled: Bool { ctorch_cpu_cache_enabled() }

    public static var statistics: Statistics {
        var cached: UInt64 = 0, limit: UInt64 = 0, hits: UInt64 = 0, misses: UInt64 = 0
        ctorch_cpu_cache_statistics(&cached, &limit, &hits, &misses)
        return Statistics(cachedBytes: cached, limitBytes: limit, hits: hits, misses: misses)
    }

    /// Gives every cached block back to the system (e.g. between two phases with different sizes).
    public static func release() { ctorch_cpu_cache_release() }

    /// Caps the bytes kept for reuse.
    public static func setLimit(bytes: UInt64) { ctorch_cpu_cache_set_limit(bytes) }
}
