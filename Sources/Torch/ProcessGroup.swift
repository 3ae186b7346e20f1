// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// A group of cooperating processes on libtorch's c10d: a TCPStore rendezvous and the Gloo backend
/// built into libtorch (CPU tensors; TCP between hosts). Collectives are blocking: each call returns
/// once the result is in place, or throws when a peer fails or the timeout passes.
public final class ProcessGroup: @unchecked Sendable {
    /// This process's index in the group, 0 ..< ``worldSize``.
    public let rank: Int
    public let worldSize: Int
    /// How long a rendezvous or a collective may wait for the other processes.
    public let timeoutSeconds: Double
    private let handle: ctorch_process_group

    /// Joins a group of `worldSize` processes. Rank 0 serves the rendezvous on `host:port`; every
    /// rank connects to it and checks that all agree on the world size and on `tag` (pass the
    /// program version, so different builds never train together).
    ///
    /// - Throws: ``TorchError`` naming the address when the rendezvous or the group set-up fails or
    ///   does not complete within `timeoutSeconds`, or when the ranks disagree.
    public init(host: String, port: Int, rank: Int, worldSize: Int, timeoutSeconds: Double = 300, tag: String = "") throws {
        guard worldSize >= 1, (0..<worldSize).contains(rank) else {
            throw TorchError(kind: .invalidValue, message: "rank \(rank) must be in 0..<world size \(worldSize)",
                             operation: "ProcessGroup.init")
        }
        guard (1...65535).contains(port), timeoutSeconds > 0, timeoutSeconds <= 86_400 else {
            throw TorchError(kind: .invalidValue,
                             message: "rendezvous port must be in 1...65535 and the timeout in (0, 86400] s; got \(port) and \(timeoutSeconds)",
                             operation: "ProcessGroup.init")
        }
        var out: ctorch_process_group? = nil
        try shimCall("ProcessGroup.init") {
            ctorch_process_group_new(host, Int32(port), Int32(rank), Int32(worldSize), Int64(timeoutSeconds * 1000), tag, &out, $0)
        }
        handle = out!
        self.rank = rank
        self.worldSize = worldSize
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { ctorch_process_group_free(handle) }

    /// Replaces each tensor, in place, by its sum over the group. Tensors: contiguous, on the CPU.
    public func allReduceSum(_ tensors: [Tensor]) throws {
        guard !tensors.isEmpty else { return }
        try withHandles(tensors) { handles in
            try shimCall("ProcessGroup.allReduceSum") { ctorch_process_group_all_reduce_sum(handle, handles, handles.count, $0) }
        }
    }

    /// Overwrites each tensor, in place, with rank `root`'s.
    public func broadcast(_ tensors: [Tensor], from root: Int = 0) throws {
        guard !tensors.isEmpty else { return }
        try withHandles(tensors) { handles in
            try shimCall("ProcessGroup.broadcast") {
                ctorch_process_group_broadcast(handle, handles, handles.count, Int32(clamping: root), $0)
            }
        }
    }

    /// Returns once every rank has reached it.
    public func barrier() throws {
        try shimCall("ProcessGroup.barrier") { ctorch_process_group_barrier(handle, $0) }
    }

    /// How much of the storage reserved for libtorch's ProcessGroupGloo object its constructor wrote
    /// (the shim allocates that object without gloo's headers; a test checks the margin). -1 before
    /// any group was built.
    public static var glooStorageBytesTouched: Int { Int(ctorch_gloo_storage_bytes_touched()) }
}
