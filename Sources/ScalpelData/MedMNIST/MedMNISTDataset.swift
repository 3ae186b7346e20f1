// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// One split of a MedMNIST `.npz` file (keys `SPLIT_images`, `SPLIT_labels`), held in memory.
///
/// Images are `uint8` of shape (N, H, W) (gray) or (N, H, W, 3) (RGB), at any size; labels are
/// integers of shape (N, L): L = 1 (a class index) for binary, multi-class and ordinal tasks, L > 1
/// (one 0/1 per class) for multi-label ones.
public struct MedMNISTDataset: ImageDataset {
    /// The three splits of the MedMNIST protocol.
    public enum Split: String, Sendable, CaseIterable {
        case train, val, test
    }

    /// The file, for errors and reports.
    public let path: String
    public let split: Split
    /// The official description when the file name (without `.npz`) is a known flag, else nil.
    public let info: MedMNISTInfo?
    public let count: Int
    public let height: Int
    public let width: Int
    /// 1 gray, 3 RGB.
    public let channels: Int
    /// Labels per sample: 1, or the number of classes for multi-label data.
    public let labelWidth: Int
    /// Every image's samples, `count × height × width × channels`, interleaved (HWC).
    public let pixels: [UInt8]
    /// Every label, `count × labelWidth`.
    public let labels: [Int]

    /// Loads `split` of the `.npz` at `url`.
    ///
    /// - Parameter classCount: the number of classes; defaults to that of ``info`` (the file name's
    ///   flag). Labels must lie in `0 ..< classCount` (or be 0/1 for multi-label data).
    /// - Throws: ``DatasetError`` naming the file, the key and what was expected against what was
    ///   found: a missing or non-npz file, a missing array, wrong dtypes or shapes, image and label
    ///   counts that differ, or a label outside the class list.
    public init(contentsOf url: URL, split: Split, classCount: Int? = nil) throws {
        let npz = try NpzFile(contentsOf: url)
        path = url.path
        self.split = split
        info = MedMNISTInfo.named(url.deletingPathExtension().lastPathComponent)
        let imageKey = "\(split.rawValue)_images", labelKey = "\(split.rawValue)_labels"
        let images = try npz.array(imageKey)
        guard images.dtype == .uint8 else {
            throw DatasetError(file: path, key: imageKey, expected: "uint8 images (|u1)", found: images.dtype.rawValue)
        }
        let shape = images.shape
        guard shape.count == 3 || (shape.count == 4 && (shape[3] == 3 || shape[3] == 1)) else {
            throw DatasetError(file: path, key: imageKey, expected: "shape (N, H, W) or (N, H, W, 3)", found: "\(shape)")
        }
        count = shape[0]
        height = shape[1]
        width = shape[2]
        channels = shape.count == 4 ? shape[3] : 1
        pixels = images.data

        let labelArray = try npz.array(labelKey)
        guard labelArray.dtype != .float32, labelArray.dtype != .float64 else {
            throw DatasetError(file: path, key: labelKey, expected: "integer labels", found: labelArray.dtype.rawValue)
        }
        guard labelArray.shape.count == 1 || labelArray.shape.count == 2 else {
            throw DatasetError(file: path, key: labelKey, expected: "shape (N, L)", found: "\(labelArray.shape)")
        }
        guard labelArray.shape[0] == count else {
            throw DatasetError(file: path, key: labelKey, expected: "\(count) labels, one per image of \(imageKey)",
                               found: "\(labelArray.shape[0]) (shape \(labelArray.shape))")
        }
        labelWidth = labelArray.shape.count == 2 ? labelArray.shape[1] : 1
        let values = labelArray.integers().map { $0 ?? -1 }
        let classes = classCount ?? info?.classes.count
        let multiLabel = labelWidth > 1
        if let classes, multiLabel, labelWidth != classes {
            throw DatasetError(file: path, key: labelKey, expected: "\(classes) labels per image (multi-label)",
                               found: "\(labelWidth)")
        }
        // Without a known class list the largest label sets the class count: bound it (a label of 10¹² would
        // otherwise ask for 10¹² class names).
        let limit = InputLimits.current.classCount
        let upper = multiLabel ? 2 : (classes ?? limit)
        if let index = values.firstIndex(where: { $0 < 0 || $0 >= upper }) {
            let names = multiLabel ? "0 or 1" : classes == nil
                ? "a class in 0..<\(upper) (the class limit; raise it with \(InputLimits.Name.classCount.rawValue)=N if the file is trusted)"
                : "a class in 0..<\(upper)"
            throw DatasetError(file: path, key: labelKey, expected: names,
                               found: "\(values[index]) for sample \(index / labelWidth)")
        }
        labels = values
    }

    /// The task: ``info``'s, else multi-label when there are several labels per image, else
    /// binary or multi-class by the largest label.
    public var task: ClassificationTask {
        if let info { return info.task }
        if labelWidth > 1 { return .multiLabel }
        return (labels.max() ?? 0) <= 1 ? .binary : .multiClass
    }

    /// Class names: ``info``'s, else the label indices as text.
    public var classNames: [String] {
        if let info { return info.classes }
        let classes = labelWidth > 1 ? labelWidth : (labels.max() ?? -1) + 1
        return (0 ..< classes).map(String.init)
    }

    /// Samples per image (`height × width × channels`).
    public var imageSize: Int { height * width * channels }

    public var source: String { "\(path) (\(split.rawValue))" }

    /// `SPLIT/INDEX`, e.g. `test/17`.
    public func sampleID(_ index: Int) -> String { "\(split.rawValue)/\(index)" }

    public func labels(_ index: Int) -> [Int] { Array(label(index)) }

    /// Image `index` as a ``DecodedImage`` (8-bit, interleaved).
    public func image(_ index: Int) -> DecodedImage {
        precondition(index >= 0 && index < count, "image index \(index) outside 0..<\(count)")
        let start = index * imageSize
        return DecodedImage(width: width, height: height, channels: channels,
                            samples: .uint8(Array(pixels[start ..< start + imageSize])))
    }

    /// The labels of sample `index` (one value, or one 0/1 per class for multi-label data).
    public func label(_ index: Int) -> ArraySlice<Int> {
        labels[index * labelWidth ..< (index + 1) * labelWidth]
    }
}
