// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Torch

/// One batch from a ``DataLoader``: images and labels as CPU tensors, plus where each sample came from.
public struct Batch {
    /// float32 `[N, C, H, W]`, contiguous, on the CPU.
    public let images: Tensor
    /// Labels for the loss: int64 `[N]` class indices for single-label tasks, float32 `[N, classes]`
    /// (one 0/1 per class) for multi-label tasks.
    public let targets: Tensor
    /// Each sample's labels as the dataset gives them.
    public let labels: [[Int]]
    /// Each sample's index in the dataset.
    public let indices: [Int]
    /// Each sample's ``ImageDataset/sampleID(_:)``.
    public let sampleIDs: [String]
    /// Images left out under ``BadImagePolicy/skip`` since the previous batch (including those of
    /// batches that had no good image at all).
    public let skipped: [SkippedImage]

    /// Number of samples.
    public var count: Int { indices.count }
}

/// An image a ``DataLoader`` left out under ``BadImagePolicy/skip``.
public struct SkippedImage: Sendable, Equatable, CustomStringConvertible {
    /// Its dataset index.
    public var index: Int
    /// Its ``ImageDataset/sampleID(_:)``.
    public var sampleID: String
    /// Why it could not be used (the decoder's error, naming the file).
    public var reason: String

    public var description: String { "\(sampleID): \(reason)" }
}

/// A ``DataLoader`` that cannot be built, or a sample it cannot put in a batch.
public struct DataLoaderError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A batch as host arrays, made by the workers and turned into tensors by the consumer
/// (``Tensor`` is not `Sendable`).
struct HostBatch: Sendable {
    /// `[C, H, W]` of every image.
    var imageShape: [Int]
    var pixels: [Float]
    var labels: [[Int]]
    var indices: [Int]
    var sampleIDs: [String]
    var skipped: [SkippedImage]
}
