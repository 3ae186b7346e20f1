// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelData
import ScalpelDownload

/// Where the images and labels come from, and how they are split.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A MedMNIST name (pneumoniamnist, …) or .npz file, a folder with one subfolder per class, a CSV manifest, or synthetic[:COUNT] (generated, labelled as such).",
        valueName: "source"))
    var data: String

    @Option(help: "MedMNIST image size when --data is a MedMNIST name: 28, 64, 128 or 224.")
    var size: Int = 28

    @Option(help: "CSV: the column of image paths.")
    var pathColumn: String = "path"

    @Option(help: "CSV: the label column (class names), or several comma-separated 0/1 columns for a multi-label task.")
    var labelColumn: String = "label"

    @Option(help: "CSV: a column of train/val/test; without it the data are split with --split.")
    var splitColumn: String?

    @Option(help: "CSV: a column of patient IDs; splits keep each patient's images together.")
    var patientColumn: String?

    @Option(help: "CSV: the class names in label order (comma-separated); values outside them are errors.")
    var classes: String?

    @Flag(help: "CSV: the classes are ordered grades (ordinal task).")
    var ordinal = false

    @Option(help: "CSV: the folder relative image paths start from (default: the CSV's folder).")
    var imageRoot: String?

    @Option(help: "Train,validation,test fractions for data without a given split.")
    var split: String = "0.7,0.1,0.2"

    @Option(help: "What to do with an unreadable image: fail (stop, naming it) or skip (leave it out, naming it).")
    var onBadImage: BadImagePolicy = .fail

    func validate() throws {
        try fractions().validate(source: "--split")
    }

    /// The train, validation and test sets, and a line saying where they came from.
    func loadSplits(seed: UInt64, warn: (String) -> Void) throws -> (splits: DatasetSplits, description: String) {
        let url = URL(fileURLWithPath: data)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if data == "synthetic" || data.hasPrefix("synthetic:") {
            let count = data == "synthetic" ? 1200 : Int(data.dropFirst("synthetic:".count)) ?? -1
            guard count >= 12 else { throw CommandError("--data synthetic:COUNT needs a count of at least 12, got '\(data)'") }
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
            guard exists else { throw CommandError("--data: \(url.path) does not exist") }
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
            guard exists else { throw CommandError("--data: \(url.path) does not exist") }
            file = url
        } else if MedMNISTInfo.named(data) != nil {
            file = try Self.medmnistStore().resolve(data, size: size, progress: DownloadProgress.printToStandardError)
        } else {
            throw CommandError("--data: '\(data)' is not a file, a folder, a CSV manifest or a MedMNIST name (\(MedMNISTInfo.all.map(\.name).joined(separator: ", ")))")
        }
        let train = try MedMNISTDataset(contentsOf: file, split: .train)
        let validation = try MedMNISTDataset(contentsOf: file, split: .val)
        let test = try MedMNISTDataset(contentsOf: file, split: .test)
        return (DatasetSplits(train: train, validation: validation, test: test),
                "\(file.lastPathComponent) (MedMNIST, \(train.width)×\(train.height)): \(train.count)/\(validation.count)/\(test.count)")
    }

    /// MedMNIST's store, also searching `../shared/data/medmnist` beside the checkout when it exists.
    static func medmnistStore() -> MedMNISTStore {
        var store = MedMNISTStore()
        let shared = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .deletingLastPathComponent().appendingPathComponent("shared/data/medmnist")
        if FileManager.default.fileExists(atPath: shared.path) { store.searchFolders.append(shared) }
        return store
    }

    func fractions() throws -> SplitFractions {
        let parts = split.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3 else {
            throw CommandError("--split: expected three comma-separated fractions (train,validation,test), got '\(split)'")
        }
        return SplitFractions(train: parts[0], validation: parts[1], test: parts[2])
    }
}

extension BadImagePolicy: ExpressibleByArgument {}
