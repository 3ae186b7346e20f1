// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import ScalpelData

/// A run's data, read once for every seed: the splits, where they came from, and the image shape the
/// network is built for.
public struct RunData {
    public var splits: DatasetSplits
    /// One line saying where the data came from (source, counts, split).
    public var description: String
    /// 1 for grey images, 3 for colour (from the first readable training image).
    public var channels: Int
    /// The shorter side of the first readable training image.
    public var nativeSize: Int

    /// Reads the splits of `data`; `warn` receives notes such as ignored files.
    public init(_ data: DataSpecification, warn: (String) -> Void = { _ in }) throws {
        let loaded = try data.loadSplits(warn: warn)
        let train = loaded.splits.train
        guard train.count > 0 else { throw ExperimentError("--data: the training set of \(train.source) is empty") }
        var first: DecodedImage?
        for index in 0..<min(train.count, 16) {
            if let image = try? train.image(index) { first = image; break }
        }
        guard let first else {
            throw ExperimentError("--data: none of the first training images of \(train.source) can be read (first: \(train.sampleID(0)))")
        }
        splits = loaded.splits
        description = loaded.description
        channels = first.channels >= 3 ? 3 : 1
        nativeSize = min(first.width, first.height)
    }

    public var classCount: Int { splits.train.classNames.count }
}
