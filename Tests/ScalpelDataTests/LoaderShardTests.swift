// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
@testable import ScalpelData

@Suite struct LoaderShardTests {
    func loader(count: Int, batch: Int, shard: LoaderShard) throws -> DataLoader {
        try DataLoader(dataset: SyntheticRadiographs(count: count, size: 16, seed: 1), transform: Normalize(mean: [0.5], std: [0.5]),
                       batchSize: batch, shuffle: true, seed: 4, workers: 1, shard: shard)
    }

    func batches(_ loader: DataLoader, epoch: Int) throws -> [[String]] {
        var iterator = loader.batches(epoch: epoch)
        var result: [[String]] = []
        while let batch = try iterator.next() { result.append(batch.sampleIDs) }
        return result
    }

    @Test(arguments: [(37, 8, 2), (36, 8, 3), (33, 8, 2), (5, 4, 2)])
    func shardsSplitEveryBatchAndCoverTheEpochOnce(count: Int, batch: Int, world: Int) throws {
        let whole = try batches(try loader(count: count, batch: batch, shard: .whole), epoch: 2)
        let shards = try (0..<world).map { try batches(try loader(count: count, batch: batch, shard: LoaderShard(rank: $0, count: world)), epoch: 2) }
        let steps = shards[0].count
        #expect(shards.allSatisfy { $0.count == steps }, "every rank must take the same number of steps")
        #expect(shards.allSatisfy { $0.allSatisfy { !$0.isEmpty } })
        let all = shards.flatMap { $0.flatMap { $0 } }
        #expect(all.count == count && Set(all).count == count, "every image once per epoch")
        // Each step's pieces, joined in rank order, are the single process's batch (a last batch
        // smaller than the world size joins the one before).
        let joined = (0..<steps).map { step in shards.flatMap { $0[step] } }
        var expected = whole
        if let last = expected.last, last.count < world, expected.count > 1 {
            expected.removeLast()
            expected[expected.count - 1] += last
        }
        #expect(joined == expected)
    }

    @Test func rejectsBadShards() throws {
        #expect(throws: DataLoaderError.self) { try LoaderShard(rank: 2, count: 2) }
        #expect(throws: DataLoaderError.self) { try loader(count: 1, batch: 4, shard: LoaderShard(rank: 0, count: 2)) }
    }
}
