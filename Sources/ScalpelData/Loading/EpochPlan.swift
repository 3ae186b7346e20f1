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

    init(datasetCount: Int, batchSize: Int, shuffle: Bool, dropLast: Bool, seed: UInt64, epoch: Int) {
        order = shuffle ? Self.permutation(count: datasetCount, seed: LoaderSeeds.orderSeed(seed: seed, epoch: epoch))
                        : Array(0 ..< datasetCount)
        self.batchSize = batchSize
        batchCount = dropLast ? datasetCount / batchSize : (datasetCount + batchSize - 1) / batchSize
        sampleCount = min(datasetCount, batchCount * batchSize)
    }

    /// The batch that position `position` of ``order`` belongs to.
    func batch(of position: Int) -> Int { position / batchSize }

    /// The positions of ``order`` that make batch `batch`.
    func positions(of batch: Int) -> Range<Int> {
        batch * batchSize ..< min((batch + 1) * batchSize, sampleCount)
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
