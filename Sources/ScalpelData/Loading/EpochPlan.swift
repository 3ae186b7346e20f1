// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import ScalpelRandom

/// What one epoch loads: the order of the dataset's indices and how they split into batches.
/// Depends only on the loader's settings and the epoch number, never on threads or timing.
struct EpochPlan: Sendable {
    /// Dataset indices in loading order; only the first ``sampleCount`` are used.
    let order: [Int]
    let batchSize: Int
    let batchCount: Int
    /// Samples in the epoch's batches (`order.count` minus what `dropLast` leaves out).
    let sampleCount: Int
    /// For a shard: where each batch starts in ``order`` (batchCount + 1 entries); nil when every
    /// batch but the last holds `batchSize` samples.
    private let boundaries: [Int]?

    init(datasetCount: Int, batchSize: Int, shuffle: Bool, dropLast: Bool, seed: UInt64, epoch: Int,
         shard: LoaderShard = .whole) {
        let permuted = shuffle ? Self.permutation(count: datasetCount, seed: LoaderSeeds.orderSeed(seed: seed, epoch: epoch))
                               : Array(0 ..< datasetCount)
        self.batchSize = batchSize
        let globalCount = dropLast ? datasetCount / batchSize : (datasetCount + batchSize - 1) / batchSize
        let globalSamples = min(datasetCount, globalCount * batchSize)
        guard shard.count > 1 else {
            order = permuted
            batchCount = globalCount
            sampleCount = globalSamples
            boundaries = nil
            return
        }
        // Global batch g is cut into `shard.count` near-equal consecutive pieces; this rank takes
        // piece `shard.rank`. A last global batch smaller than the shard count joins the one before,
        // so that every rank has the same number of non-empty batches.
        var starts = Array(stride(from: 0, to: globalSamples, by: batchSize))
        if let last = starts.last, globalSamples - last < shard.count, starts.count > 1 { starts.removeLast() }
        starts.append(globalSamples)
        var mine: [Int] = []
        var bounds = [0]
        for (start, end) in zip(starts, starts.dropFirst()) {
            let length = end - start
            let from = start + length * shard.rank / shard.count
            let to = start + length * (shard.rank + 1) / shard.count
            mine += permuted[from ..< to]
            bounds.append(mine.count)
        }
        order = mine
        batchCount = bounds.count - 1
        sampleCount = mine.count
        boundaries = bounds
    }

    /// The batch that position `position` of ``order`` belongs to.
    func batch(of position: Int) -> Int {
        guard let boundaries else { return position / batchSize }
        var low = 0, high = boundaries.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if boundaries[middle] <= position { low = middle } else { high = middle }
        }
        return low
    }

    /// The positions of ``order`` that make batch `batch`.
    func positions(of batch: Int) -> Range<Int> {
        if let boundaries { return boundaries[batch] ..< boundaries[batch + 1] }
        return batch * batchSize ..< min((batch + 1) * batchSize, sampleCount)
    }

    /// A uniform permutation of `0..<count` (Fisher–Yates with ``SplitMix64``).
    static func permutation(count: Int, seed: UInt64) -> [Int] {
        var order = Array(0 ..< count)
        var generator = SplitMix64(seed: seed)
        var index = count - 1
        while index > 0 {
            order.swapAt(index, generator.below(index + 1))
            index -= 1
        }
        return order
    }
}

/// Which part of every batch a process of a data-parallel run loads: with `count` processes each
/// batch of the epoch's shared order is cut into `count` near-equal consecutive pieces and process
/// `rank` loads piece `rank`, so together they load every image once per epoch.
public struct LoaderShard: Sendable, Equatable {
    public let rank: Int
    public let count: Int

    /// The whole epoch (one process).
    public static let whole = LoaderShard(uncheckedRank: 0, count: 1)

    /// - Throws: ``DataLoaderError`` unless `0 <= rank < count`.
    public init(rank: Int, count: Int) throws {
        guard count >= 1, (0 ..< count).contains(rank) else {
            throw DataLoaderError("DataLoader: shard rank \(rank) must be in 0..<\(count)")
        }
        self.init(uncheckedRank: rank, count: count)
    }

    private init(uncheckedRank rank: Int, count: Int) {
        self.rank = rank
        self.count = count
    }
}

/// The seeds a loader derives from its own: one for each epoch's order and one for each sample's
/// transform, so results do not depend on which worker handles which sample.
enum LoaderSeeds {
    /// One SplitMix64 step of `a` mixed with `b`: distinct inputs give unrelated outputs.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: a ^ (b &* 0xD6E8_FEB8_6659_FD93))
        return generator.next()
    }

    static func orderSeed(seed: UInt64, epoch: Int) -> UInt64 {
        mix(mix(seed, 0x6F72_6465_72), UInt64(bitPattern: Int64(epoch)))
    }

    static func sampleSeed(seed: UInt64, epoch: Int, index: Int) -> UInt64 {
        mix(mix(mix(seed, 0x7361_6D70_6C65), UInt64(bitPattern: Int64(epoch))), UInt64(bitPattern: Int64(index)))
    }
}
