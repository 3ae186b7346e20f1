// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import Torch

/// One step's input on the device: images (or cached frozen features), targets, the samples' labels
/// and ids, and the images left out of it.
struct StepInput {
    var input: Tensor
    var targets: Tensor
    var count: Int
    var labels: [[Int]]
    var sampleIDs: [String]
    var skipped: [String]
}

/// An epoch's steps, from the loader or from a ``FeatureCache``. Both follow the loader's order for
/// the epoch and its batch size, so a cached epoch sees the same samples in the same batches; the
/// images the cache could not read are reported with its first step, as the loader reports them.
struct StepSource {
    private var batches: BatchIterator?
    private var cachedRows: [[Int]] = []
    private var nextBatch = 0
    private var cache: FeatureCache?
    private let device: Device
    private let channelsLast: Bool

    init(loader: DataLoader, epoch: Int, cache: FeatureCache?, device: Device, channelsLast: Bool) throws {
        self.device = device
        self.channelsLast = channelsLast
        if let cache {
            self.cache = cache
            let rows = loader.order(epoch: epoch).compactMap { cache.rowOfIndex[$0] }
            cachedRows = stride(from: 0, to: rows.count, by: loader.batchSize).map {
                Array(rows[$0..<min($0 + loader.batchSize, rows.count)])
            }
            if loader.dropLast, cachedRows.last.map({ $0.count < loader.batchSize }) == true { cachedRows.removeLast() }
        } else {
            batches = loader.batches(epoch: epoch)
        }
    }

    mutating func next() throws -> StepInput? {
        if let cache {
            guard nextBatch < cachedRows.count else { return nil }
            let rows = cachedRows[nextBatch]
            defer { nextBatch += 1 }
            let (features, targets) = try cache.batch(rows)
            return StepInput(input: features, targets: targets, count: rows.count, labels: rows.map { cache.labels[$0] },
                             sampleIDs: rows.map { cache.sampleIDs[$0] }, skipped: nextBatch == 0 ? cache.skipped : [])
        }
        guard let batch = try batches?.next() else { return nil }
        var images = try Self.move(batch.images, to: device)
        if channelsLast, batch.count > 0 { images = try images.contiguous(.channelsLast) }
        return StepInput(input: images, targets: try Self.move(batch.targets, to: device), count: batch.count,
                         labels: batch.labels, sampleIDs: batch.sampleIDs, skipped: batch.skipped.map(\.description))
    }

    /// To a GPU, a host batch goes through pinned memory and is copied without blocking the host (as
    /// PyTorch's `pin_memory=True` with `non_blocking=True`), so the copy overlaps the host's next work.
    static func move(_ tensor: Tensor, to device: Device) throws -> Tensor {
        guard case .cuda = device, tensor.device == .cpu else { return try tensor.to(device: device) }
        return try tensor.pinned().to(device: device, nonBlocking: true)
    }
}
