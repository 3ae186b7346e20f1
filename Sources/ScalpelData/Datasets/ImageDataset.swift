// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// A labelled image collection: a MedMNIST split, an image folder, a CSV manifest, DICOM files, or a
/// subset of any of them. Images are decoded on demand, from any thread, by ``image(_:)``.
///
/// Labels are a class index (one value) for binary, multi-class and ordinal tasks, and one 0/1 per
/// class for multi-label tasks, as MedMNIST stores them.
public protocol ImageDataset: Sendable {
    /// Where the data came from, for reports and errors (a file or folder).
    var source: String { get }
    var task: ClassificationTask { get }
    /// Class names by label index.
    var classNames: [String] { get }
    /// Number of samples.
    var count: Int { get }
    /// A stable name for sample `index`: its file path relative to the dataset root, or
    /// `SPLIT/INDEX` for array data. Used in predictions.csv and in every error about the sample.
    func sampleID(_ index: Int) -> String
    /// The labels of sample `index`: one class index, or one 0/1 per class for multi-label tasks.
    func labels(_ index: Int) -> [Int]
    /// The patient sample `index` belongs to, when known (splits keep a patient's images together).
    func patientID(_ index: Int) -> String?
    /// Decodes sample `index`.
    ///
    /// - Throws: ``ImageDecodingError`` naming the file (or sample) and what went wrong.
    func image(_ index: Int) throws -> DecodedImage
}

extension ImageDataset {
    public func patientID(_ index: Int) -> String? { nil }

    /// Samples per class: for single-label data how many samples have each class index; for
    /// multi-label data how many are positive for each class.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for index in 0..<count {
            let values = labels(index)
            if task == .multiLabel {
                for (position, value) in values.enumerated() where value == 1 && position < counts.count { counts[position] += 1 }
            } else if let value = values.first, value >= 0, value < counts.count {
                counts[value] += 1
            }
        }
        return counts
    }

    /// The samples at `indices` of this dataset, as a dataset of its own.
    public func subset(_ indices: [Int], source: String? = nil) -> DatasetSubset {
        DatasetSubset(base: self, indices: indices, source: source)
    }
}

/// The samples of `base` at `indices`, in that order.
public struct DatasetSubset: ImageDataset {
    public let base: any ImageDataset
    public let indices: [Int]
    public let source: String

    public init(base: any ImageDataset, indices: [Int], source: String? = nil) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < base.count }, "subset index outside 0..<\(base.count)")
        self.base = base
        self.indices = indices
        self.source = source ?? base.source
    }

    public var task: ClassificationTask { base.task }
    public var classNames: [String] { base.classNames }
    public var count: Int { indices.count }
    public func sampleID(_ index: Int) -> String { base.sampleID(indices[index]) }
    public func labels(_ index: Int) -> [Int] { base.labels(indices[index]) }
    public func patientID(_ index: Int) -> String? { base.patientID(indices[index]) }
    public func image(_ index: Int) throws -> DecodedImage { try base.image(indices[index]) }
}

/// Train, validation and test sets of one task.
public struct DatasetSplits: Sendable {
    public var train: any ImageDataset
    public var validation: any ImageDataset
    public var test: any ImageDataset

    public init(train: any ImageDataset, validation: any ImageDataset, test: any ImageDataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// What to do with an image that cannot be read or decoded. Either way the file is named: `fail`
/// stops with its error, `skip` leaves it out and reports it (never silently).
public enum BadImagePolicy: String, Sendable, CaseIterable, Codable {
    case fail, skip
}
