// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

/// The caching CPU allocator (process-wide, so serialized).
@Suite(.serialized) struct CPUMemoryCacheTests {
    @Test func largeBlocksAreReusedAndReleased() throws {
        try #require(CPUMemoryCache.isEnabled, "the caching allocator should be on by default")
        let shape = [1024, 1024]  // 4 MiB of float32: above the 128 KiB caching threshold
        do { _ = try Tensor.ones(shape) }  // allocated and freed: now cached
        let before = CPUMemoryCache.statistics
        #expect(before.cachedBytes >= 4 << 20)
        let reused = try Tensor.full(shape, value: 3)
        let after = CPUMemoryCache.statistics
        #expect(after.hits == before.hits + 1)
        // A reused block holds the new values, not the old ones.
        #expect(try reused.sum().item() == 3 * 1024 * 1024)
        CPUMemoryCache.release()
        #expect(CPUMemoryCache.statistics.cachedBytes == 0)
    }

    @Test func theLimitBoundsWhatIsKept() throws {
        let original = CPUMemoryCache.statistics.limitBytes
        defer { CPUMemoryCache.setLimit(bytes: original) }
        CPUMemoryCache.release()
        CPUMemoryCache.setLimit(bytes: 2 << 20)
        do { _ = try Tensor.zeros([4 << 20]) }  // 16 MiB: over the limit, so it goes back to the system
        #expect(CPUMemoryCache.statistics.cachedBytes == 0)
    }

    @Test func smallAndEmptyTensorsWork() throws {
        let empty = try Tensor.zeros([0, 3])
        #expect(empty.elementCount == 0)
        let small = try Tensor([1, 2, 3] as [Float])
        #expect(try small.hostArray(of: Float.self) == [1, 2, 3])
    }
}
