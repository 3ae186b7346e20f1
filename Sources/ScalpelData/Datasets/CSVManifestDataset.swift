// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// Images listed in a CSV file: one row per image, a path column, label column(s) and optionally a
/// split and a patient column. Files are checked to exist when the manifest is loaded and decoded on
/// demand with ``ImageDecoder``.
///
/// ```
/// path,label,patient,split
/// scans/p1_a.png,pneumonia,p1,train
/// ```
public struct CSVManifestDataset: ImageDataset {
    /// Where the labels are.
    public enum LabelColumns: Sendable, Equatable {
        /// One column of class names: binary, multi-class (or ordinal) data.
        case single(String)
        /// One 0/1 column per class (also true/false, yes/no): multi-label data; the columns name the classes.
        case multiple([String])
    }

    /// The three splits a split column can name.
    public enum Split: Int, Sendable, CaseIterable {
        case train, validation, test
    }

    /// How to read the manifest.
    public struct Options: Sendable, Equatable {
        /// The column of image paths, relative to ``root`` or absolute.
        public var pathColumn: String
        public var labels: LabelColumns
        /// The classes of a single label column, in label-index order; nil: its distinct values, sorted.
        /// Given, a value outside them is an error.
        public var classNames: [String]?
        /// A column of `train` / `val` / `validation` / `test` (any case); nil: split with ``DatasetSplitter``.
        public var splitColumn: String?
        /// A column of patient IDs (an empty cell: patient unknown).
        public var patientColumn: String?
        /// The classes of the single label column are ordered grades.
        public var ordinal: Bool
        /// The folder relative paths start from; nil: the CSV file's folder.
        public var root: URL?

        public init(pathColumn: String = "path", labels: LabelColumns = .single("label"), classNames: [String]? = nil,
                    splitColumn: String? = nil, patientColumn: String? = nil, ordinal: Bool = false, root: URL? = nil) {
            self.pathColumn = pathColumn
            self.labels = labels
            self.classNames = classNames
            self.splitColumn = splitColumn
            self.patientColumn = patientColumn
            self.ordinal = ordinal
            self.root = root
        }
    }

    /// The CSV file.
    public let source: String
    public let task: ClassificationTask
    public let classNames: [String]
    /// The paths as written in the manifest (the sample IDs).
    public let paths: [String]
    /// Where each image is.
    public let urls: [URL]
    /// Every sample's labels (one class index, or one 0/1 per class).
    public let labelRows: [[Int]]
    /// Every sample's patient, when the manifest has a patient column and the cell is not empty.
    public let patients: [String?]
    /// Every sample's split, when the manifest has a split column.
    public let assignedSplits: [Split]?

    /// Loads the manifest at `url`.
    ///
    /// - Throws: ``DataSourceError`` naming the CSV file and, where it applies, the line, the column and
    ///   the value: unreadable or malformed CSV (see ``CSVTable``), a missing column (listing the
    ///   header), an unknown class, a multi-label value that is not 0/1, an unknown split name, fewer
    ///   than two classes, or a listed file that does not exist.
    public init(contentsOf url: URL, options: Options = Options()) throws {
        let table = try CSVTable(contentsOf: url)
        let file = url.path
        func column(_ name: String, option: String) throws -> Int {
            guard let index = table.column(name) else {
                throw DataSourceError(file: file, location: "header", problem: "no column '\(name)' (the \(option) option); the header has \(table.header.map { "'\($0)'" }.joined(separator: ", "))",
                                      fix: "name the right column with the \(option) option, or add the column")
            }
            return index
        }
        let pathIndex = try column(options.pathColumn, option: "path column")
        let splitIndex = try options.splitColumn.map { try column($0, option: "split column") }
        let patientIndex = try options.patientColumn.map { try column($0, option: "patient column") }
        let root = (options.root ?? url.deletingLastPathComponent()).standardizedFileURL
        let rootOption = options.root == nil ? "relative paths start from the CSV file's folder; set the root option to change that"
            : "relative paths start from the root option (\(root.path))"

        switch options.labels {
        case .single(let name):
            let labelIndex = try column(name, option: "label column")
            let values = table.rows.map { $0[labelIndex].trimmingCharacters(in: .whitespaces) }
            for (row, value) in values.enumerated() where value.isEmpty {
                throw DataSourceError(file: file, location: "line \(table.lineNumbers[row]), column '\(name)'", problem: "empty label",
                                      fix: "give every row a class")
            }
            let classes = options.classNames ?? Array(Set(values)).sorted()
            if options.classNames == nil {
                try Self.checkDistinctClasses(classes, file: file, column: name)
            }
            let lookup = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            var rows: [[Int]] = []
            for (row, value) in values.enumerated() {
                guard let index = lookup[value] else {
                    throw DataSourceError(file: file, location: "line \(table.lineNumbers[row]), column '\(name)'",
                                          problem: "unknown class '\(value)'; the classes are \(classes.map { "'\($0)'" }.joined(separator: ", "))",
                                          fix: "correct the value or add the class to the class names option")
                }
                rows.append([index])
            }
            guard classes.count >= 2 else {
                throw DataSourceError(file: file, location: "column '\(name)'", problem: "only \(classes.count) class (\(classes.joined(separator: ", "))); classification needs at least two",
                                      fix: "check the label column, or list the classes with the class names option")
            }
            classNames = classes
            labelRows = rows
            task = options.ordinal ? .ordinal : classes.count == 2 ? .binary : .multiClass
        case .multiple(let names):
            guard names.count >= 2 else {
                throw DataSourceError(file: file, location: "label columns", problem: "multi-label data needs at least two label columns, got \(names.count)",
                                      fix: "use a single label column for one class name per image")
            }
            guard options.classNames == nil, !options.ordinal else {
                throw DataSourceError(file: file, location: "label columns", problem: "the class names and ordinal options apply to a single label column only",
                                      fix: "leave them out: with several label columns the columns name the classes")
            }
            let indices = try names.map { try column($0, option: "label columns") }
            labelRows = try table.rows.enumerated().map { row, fields in
                try zip(names, indices).map { name, index in
                    switch fields[index].trimmingCharacters(in: .whitespaces).lowercased() {
                    case "1", "true", "yes": return 1
                    case "0", "false", "no": return 0
                    case let other:
                        throw DataSourceError(file: file, location: "line \(table.lineNumbers[row]), column '\(name)'",
                                              problem: "'\(other)' is not a 0/1 label", fix: "write 1, 0, true, false, yes or no")
                    }
                }
            }
            classNames = names
            task = .multiLabel
        }

        if let splitIndex {
            assignedSplits = try table.rows.enumerated().map { row, fields in
                switch fields[splitIndex].trimmingCharacters(in: .whitespaces).lowercased() {
                case "train": return .train
                case "val", "validation": return .validation
                case "test": return .test
                case let other:
                    throw DataSourceError(file: file, location: "line \(table.lineNumbers[row]), column '\(table.header[splitIndex])'",
                                          problem: "unknown split '\(other)'", fix: "write train, val, validation or test")
                }
            }
        } else {
            assignedSplits = nil
        }
        patients = table.rows.map { fields in
            guard let patientIndex else { return nil }
            let value = fields[patientIndex].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }

        var paths: [String] = [], urls: [URL] = []
        for (row, fields) in table.rows.enumerated() {
            let path = fields[pathIndex].trimmingCharacters(in: .whitespaces)
            let location = "line \(table.lineNumbers[row]), column '\(options.pathColumn)'"
            guard !path.isEmpty else {
                throw DataSourceError(file: file, location: location, problem: "empty path", fix: "give every row an image path")
            }
            let resolved = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)).standardizedFileURL
            // The path rule (docs/security.md, Paths): every image lies inside the root, `..` resolved.
            guard root.path == "/" || resolved.path.hasPrefix(root.path + "/") else {
                throw DataSourceError(file: file, location: location,
                                      problem: "image '\(path)' lies outside the manifest's root \(root.path) (resolved: \(resolved.path))",
                                      fix: "list images under the root; to allow others, set the image root (--image-root) to a folder that holds them all, e.g. --image-root /")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isFolder), !isFolder.boolValue else {
                throw DataSourceError(file: file, location: location,
                                      problem: "image '\(path)' does not exist (looked for \(resolved.path))", fix: rootOption)
            }
            paths.append(path)
            urls.append(resolved)
        }
        guard !paths.isEmpty else {
            throw DataSourceError(file: file, problem: "lists no images (a header but no rows)", fix: "add one row per image")
        }
        source = file
        self.paths = paths
        self.urls = urls
    }

    public var count: Int { paths.count }
    public func sampleID(_ index: Int) -> String { paths[index] }
    public func labels(_ index: Int) -> [Int] { labelRows[index] }
    public func patientID(_ index: Int) -> String? { patients[index] }
    public func image(_ index: Int) throws -> DecodedImage { try ImageDecoder.decode(contentsOf: urls[index]) }

    /// Train, validation and test sets: from the split column when the manifest has one, else from
    /// ``DatasetSplitter`` with `fractions` and `seed` (patients kept together, classes stratified).
    ///
    /// - Throws: ``DataSourceError`` when the split column leaves a split empty, or as
    ///   ``DatasetSplitter/split(_:fractions:seed:)`` does.
    public func splits(fractions: SplitFractions = .standard, seed: UInt64 = 0) throws -> DatasetSplits {
        try splitResult(fractions: fractions, seed: seed).splits
    }

    /// ``splits(fractions:seed:)`` with its report: counts per split and class, and warnings for a class
    /// missing from a split or (with a split column) a patient whose images are in two splits.
    public func splitResult(fractions: SplitFractions = .standard, seed: UInt64 = 0) throws -> SplitResult {
        guard let assignedSplits else { return try DatasetSplitter.split(self, fractions: fractions, seed: seed) }
        let names = ["train", "validation", "test"]
        let subsets = try Split.allCases.map { split in
            let indices = assignedSplits.indices.filter { assignedSplits[$0] == split }
            guard !indices.isEmpty else {
                throw DataSourceError(file: source, location: "split column", problem: "no rows are marked for \(names[split.rawValue])",
                                      fix: "mark some rows \(split == .validation ? "val" : names[split.rawValue]), or leave out the split column option to split by seed")
            }
            return subset(indices, source: "\(source) [\(names[split.rawValue]) split]")
        }
        let splits = DatasetSplits(train: subsets[0], validation: subsets[1], test: subsets[2])
        var report = SplitReport(splits: splits)
        report.warnings += sharedPatients(assignedSplits).map { patient, shared in
            "patient '\(patient)' is in the \(shared.map { names[$0.rawValue] }.joined(separator: " and ")) splits (the split column lets one patient's images leak across splits)"
        }
        return SplitResult(splits: splits, report: report)
    }

    /// Patients whose rows the split column puts in more than one split, sorted by patient.
    private func sharedPatients(_ assigned: [Split]) -> [(String, [Split])] {
        var splitsByPatient: [String: Set<Int>] = [:]
        for (index, patient) in patients.enumerated() {
            if let patient { splitsByPatient[patient, default: []].insert(assigned[index].rawValue) }
        }
        return splitsByPatient.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map { patient, splits in
            (patient, splits.sorted().compactMap(Split.init(rawValue:)))
        }
    }
}

extension CSVManifestDataset {
    /// Refuses class names that differ only in letter case (`A` and `a` would silently become two classes)
    /// and more classes than ``InputLimits/classCount``.
    static func checkDistinctClasses(_ classes: [String], file: String, column: String) throws {
        let limits = InputLimits.current
        guard classes.count <= limits.classCount else {
            throw DataSourceError(file: file, location: "column '\(column)'",
                                  problem: limits.refusal("the number of distinct labels", classes.count, .classCount),
                                  fix: "check that the label column holds class names")
        }
        var seen: [String: String] = [:]
        for name in classes {
            let key = name.lowercased()
            if let other = seen[key] {
                throw DataSourceError(file: file, location: "column '\(column)'",
                                      problem: "labels '\(other)' and '\(name)' differ only in letter case and would become two classes",
                                      fix: "write each class the same way in every row, or list both with the class names option if they are different classes")
            }
            seen[key] = name
        }
    }
}
