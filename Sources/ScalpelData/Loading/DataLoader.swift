// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import ScalpelRandom

/// Loads an ``ImageDataset`` in batches: worker threads decode and transform samples in parallel
/// and keep up to `prefetchBatches` batches ready ahead of the training loop.
///
/// ```swift
/// var batches = loader.batches(epoch: epoch)
/// while let batch = try batches.next() { … }
/// ```
///
/// Results depend only on the settings and the epoch, never on the worker count or timing: an
/// epoch's order is a permutation drawn from `(seed, epoch)` (dataset order when `shuffle` is
/// false), and each sample's transform gets a ``SplitMix64`` seeded from `(seed, epoch, index)`.
public struct DataLoader: Sendable {
    public let dataset: any ImageDataset
    public let transform: any Transform
    public let batchSize: Int
    public let shuffle: Bool
    /// Leave out the last batch when it would be smaller than `batchSize`.
    public let dropLast: Bool
    public let seed: UInt64
    /// Threads that decode and transform.
    public let workers: Int
    /// Batches that may be in progress or ready before the consumer takes them.
    public let prefetchBatches: Int
    public let onBadImage: BadImagePolicy
    /// The part of each batch this process loads (``LoaderShard/whole`` but in data-parallel runs,
    /// where `batchSize` is the global batch).
    public let shard: LoaderShard

    /// - Throws: ``DataLoaderError`` for an empty dataset or a batch size, worker count or prefetch
    ///   depth below 1.
    public init(dataset: any ImageDataset, transform: any Transform, batchSize: Int, shuffle: Bool, dropLast: Bool = false,
                seed: UInt64 = 0, workers: Int = 2, prefetchBatches: Int = 2, onBadImage: BadImagePolicy = .fail,
                shard: LoaderShard = .whole) throws {
        guard dataset.count > 0 else { throw DataLoaderError("DataLoader: dataset \(dataset.source) has no samples") }
        guard batchSize >= 1 else { throw DataLoaderError("DataLoader: batchSize must be at least 1, got \(batchSize)") }
        guard workers >= 1 else { throw DataLoaderError("DataLoader: workers must be at least 1, got \(workers)") }
        guard workers <= InputLimits.maximumThreads else {
            throw DataLoaderError("DataLoader: \(workers) workers is more than 4 per core (this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores); use at most \(InputLimits.maximumThreads) (--workers)")
        }
        guard prefetchBatches >= 1, prefetchBatches <= 1024 else {
            throw DataLoaderError("DataLoader: prefetchBatches must be from 1 to 1024, got \(prefetchBatches)")
        }
        self.dataset = dataset
        self.transform = transform
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.workers = workers
        self.prefetchBatches = prefetchBatches
        self.onBadImage = onBadImage
        guard shard.count <= dataset.count else {
            throw DataLoaderError("DataLoader: \(shard.count) processes cannot share \(dataset.count) sample(s) of \(dataset.source)")
        }
        self.shard = shard
    }

    /// A loader for evaluation: dataset order, every sample (the last batch may be smaller).
    public static func evaluation(dataset: any ImageDataset, transform: any Transform, batchSize: Int,
                                  workers: Int = 2, prefetchBatches: Int = 2, onBadImage: BadImagePolicy = .fail) throws -> DataLoader {
        try DataLoader(dataset: dataset, transform: transform, batchSize: batchSize, shuffle: false, dropLast: false,
                       seed: 0, workers: workers, prefetchBatches: prefetchBatches, onBadImage: onBadImage)
    }

    /// Batches in an epoch (after `dropLast`; batches whose every image is skipped still count).
    public var batchCount: Int {
        guard shard.count == 1 else { return makePlan(epoch: 0).batchCount }
        return dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The dataset indices of epoch `epoch` in loading order (before any image is skipped).
    public func order(epoch: Int) -> [Int] {
        let plan = makePlan(epoch: epoch)
        return Array(plan.order[0 ..< plan.sampleCount])
    }

    /// Starts the workers for epoch `epoch`. Dropping the iterator (or ``BatchIterator/cancel()``)
    /// stops them.
    public func batches(epoch: Int) -> BatchIterator {
        let work = SampleWork(dataset: dataset, transform: transform, onBadImage: onBadImage, seed: seed, epoch: epoch)
        let pipeline = LoaderPipeline(plan: makePlan(epoch: epoch), work: work, workers: workers, prefetchBatches: prefetchBatches)
        return BatchIterator(pipeline: pipeline, multiLabel: dataset.task == .multiLabel, classCount: dataset.classNames.count)
    }

    private func makePlan(epoch: Int) -> EpochPlan {
        EpochPlan(datasetCount: dataset.count, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, seed: seed, epoch: epoch,
                  shard: shard)
    }
}

/// The batches of one epoch, in order. Not shared between threads; copies share one set of workers.
public struct BatchIterator {
    private let owner: PipelineOwner
    private let multiLabel: Bool
    private let classCount: Int
    private var nextBatch = 0
    private var finished = false
    private var carriedSkips: [SkippedImage] = []
    /// Every image skipped so far this epoch.
    public private(set) var skipped: [SkippedImage] = []

    init(pipeline: LoaderPipeline, multiLabel: Bool, classCount: Int) {
        owner = PipelineOwner(pipeline)
        self.multiLabel = multiLabel
        self.classCount = classCount
    }

    var pipeline: LoaderPipeline { owner.pipeline }

    /// The next batch, waiting for the workers if they are behind; nil at the end of the epoch.
    ///
    /// - Throws: ``DataLoaderError`` naming the sample: an unreadable image under
    ///   ``BadImagePolicy/fail``, a transform error, labels that do not fit the task, or an image
    ///   whose shape differs from the batch's first. The epoch ends with the error.
    public mutating func next() throws -> Batch? {
        while !finished, nextBatch < pipeline.plan.batchCount {
            guard let result = pipeline.take(nextBatch) else { break }
            nextBatch += 1
            let host: HostBatch
            switch result {
            case .success(let batch): host = batch
            case .failure(let error):
                cancel()
                throw error
            }
            skipped += host.skipped
            carriedSkips += host.skipped
            guard !host.indices.isEmpty else { continue }
            let batch = try makeBatch(host)
            carriedSkips = []
            return batch
        }
        cancel()
        return nil
    }

    /// Stops the workers now (waiting for each to finish its current sample); ``next()`` then returns nil.
    public mutating func cancel() {
        finished = true
        pipeline.cancel()
    }

    private func makeBatch(_ host: HostBatch) throws -> Batch {
        let count = host.indices.count
        let images = try Tensor(host.pixels, shape: [count] + host.imageShape)
        let targets: Tensor
        if multiLabel {
            targets = try Tensor(host.labels.flatMap { $0.map(Float.init) }, shape: [count, classCount])
        } else {
            targets = try Tensor(host.labels.map { Int64($0[0]) }, shape: [count])
        }
        return Batch(images: images, targets: targets, labels: host.labels, indices: host.indices,
                     sampleIDs: host.sampleIDs, skipped: carriedSkips)
    }
}
