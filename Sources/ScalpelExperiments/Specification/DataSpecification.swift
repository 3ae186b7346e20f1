// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelDownload

/// Where a run's images and labels come from, and how they are split (the `data:` section of a run
/// specification; each field is the `scalpel train` option of the same name, `source` being `--data`
/// and `medmnist-size` being `--size`).
public struct DataSpecification: Codable, Equatable, Sendable {
    /// A MedMNIST name or `.npz` file, a folder with one subfolder per class, a CSV manifest, or
    /// `synthetic[:COUNT]`.
    public var source: String
    /// MedMNIST image size when `source` is a MedMNIST name: 28, 64, 128 or 224.
    public var medmnistSize: Int = 28
    public var pathColumn: String = "path"
    public var labelColumn: String = "label"
    public var splitColumn: String?
    public var patientColumn: String?
    public var classes: String?
    public var ordinal: Bool = false
    public var imageRoot: String?
    /// Train,validation,test fractions for data without a given split.
    public var split: String = "0.7,0.1,0.2"
    /// Seed of the split, for data that come without one.
    public var splitSeed: UInt64 = 0
    public var onBadImage: BadImagePolicy = .fail

    public init(source: String) { self.source = source }

    enum CodingKeys: String, CodingKey {
        case source, medmnistSize = "medmnist-size", pathColumn = "path-column", labelColumn = "label-column"
        case splitColumn = "split-column", patientColumn = "patient-column", classes, ordinal, imageRoot = "image-root"
        case split, splitSeed = "split-seed", onBadImage = "on-bad-image"
    }

    /// The split fractions, checked.
    public func fractions() throws -> SplitFractions {
        let parts = split.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3 else {
            throw ExperimentError("--split: expected three comma-separated fractions (train,validation,test), got '\(split)'")
        }
        return SplitFractions(train: parts[0], validation: parts[1], test: parts[2])
    }

    /// A short name of the source for folder names: the file or folder name without extension.
    public var shortName: String { URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent }

    /// The train, validation and test sets, and a line saying where they came from.
    public func loadSplits(warn: (String) -> Void) throws -> (splits: DatasetSplits, description: String) {
        let url = URL(fileURLWithPath: source)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let seed = splitSeed
        if source == "synthetic" || source.hasPrefix("synthetic:") {
            let count = source == "synthetic" ? 1200 : Int(source.dropFirst("synthetic:".count)) ?? -1
            guard count >= 12, count <= 1_000_000 else {
                throw ExperimentError("--data synthetic:COUNT needs a count from 12 to 1000000, got '\(source)'")
            }
            let set = try SyntheticRadiographs(count: count, size: 28, seed: 0)
            let trainEnd = count * 2 / 3, validationEnd = count * 5 / 6
            let splits = DatasetSplits(train: set.subset(Array(0..<trainEnd)), validation: set.subset(Array(trainEnd..<validationEnd)),
                                       test: set.subset(Array(validationEnd..<count)))
            return (splits, "SYNTHETIC radiographs (generated, not medical data): \(trainEnd)/\(validationEnd - trainEnd)/\(count - validationEnd)")
        }
        if exists, isDirectory.boolValue {
            let folder = try ImageFolderDataset(root: url)
            if !folder.ignoredFiles.isEmpty {
                warn("ignored \(folder.ignoredFiles.count) file(s) that are not images: \(folder.ignoredFiles.prefix(5).joined(separator: ", "))")
            }
            let result = try DatasetSplitter.split(folder, fractions: fractions(), seed: seed)
            result.report.warnings.forEach(warn)
            let patients = folder.patientCount > 0 ? " of \(folder.patientCount) patients (DICOM PatientID, kept together)" : ""
            return (result.splits, "\(url.path): \(folder.count) images\(patients), split \(split) with seed \(seed)")
        }
        if url.pathExtension.lowercased() == "csv" {
            guard exists else { throw ExperimentError("--data: \(url.path) does not exist") }
            let columns = labelColumn.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let options = CSVManifestDataset.Options(
                pathColumn: pathColumn, labels: columns.count > 1 ? .multiple(columns) : .single(columns[0]),
                classNames: classes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
                splitColumn: splitColumn, patientColumn: patientColumn, ordinal: ordinal,
                root: imageRoot.map { URL(fileURLWithPath: $0) })
            let manifest = try CSVManifestDataset(contentsOf: url, options: options)
            // The report's warnings (a patient in two splits, a class missing from a split) are shown.
            let result = try manifest.splitResult(fractions: fractions(), seed: seed)
            result.report.warnings.forEach(warn)
            let splits = result.splits
            return (splits, "\(url.path): \(manifest.count) images" + (splitColumn == nil ? ", split \(split) with seed \(seed)" : ""))
        }
        let file: URL
        if url.pathExtension.lowercased() == "npz" {
            guard exists else { throw ExperimentError("--data: \(url.path) does not exist") }
            file = url
        } else if MedMNISTInfo.named(source) != nil {
            file = try Self.medmnistStore().resolve(source, size: medmnistSize, progress: DownloadProgress.printToStandardError)
        } else {
            throw ExperimentError("--data: '\(source)' is not a file, a folder, a CSV manifest or a MedMNIST name (\(MedMNISTInfo.all.map(\.name).joined(separator: ", ")))")
        }
        let train = try MedMNISTDataset(contentsOf: file, split: .train)
        let validation = try MedMNISTDataset(contentsOf: file, split: .val)
        let test = try MedMNISTDataset(contentsOf: file, split: .test)
        return (DatasetSplits(train: train, validation: validation, test: test),
                "\(file.lastPathComponent) (MedMNIST, \(train.width)×\(train.height)): \(train.count)/\(validation.count)/\(test.count)")
    }

    /// Whether the source can be found without downloading anything (a MedMNIST name counts when its
    /// file is on disk or its store can download it); the error names the source and the fix.
    public func checkAvailable() throws {
        if source == "synthetic" || source.hasPrefix("synthetic:") || MedMNISTInfo.named(source) != nil { return }
        guard FileManager.default.fileExists(atPath: source) else {
            throw ExperimentError("--data: \(source) does not exist (give a MedMNIST name, an .npz file, an image folder or a CSV manifest)")
        }
    }

    /// MedMNIST's store, also searching `../shared/data/medmnist` beside the current folder when it exists.
    public static func medmnistStore() -> MedMNISTStore {
        var store = MedMNISTStore()
        let shared = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .deletingLastPathComponent().appendingPathComponent("shared/data/medmnist")
        if FileManager.default.fileExists(atPath: shared.path) { store.searchFolders.append(shared) }
        return store
    }
}
