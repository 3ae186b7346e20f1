// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelData
import ScalpelTraining
import Yams

/// What a report shows of one run folder: its configuration (`config.yaml`), its results
/// (`metrics.json`, decoded with the trainer's own Codable types) and its test predictions
/// (`predictions.csv`), read without loading any model.
public struct RunRecord: Sendable {
    public let folder: URL
    /// `config.yaml`'s keys and values as written (empty when the file is absent).
    public let configuration: [(key: String, value: String)]
    public let results: RunResults
    /// Test predictions, when the run finished and wrote them.
    public let predictions: TestPredictions?
    /// Similarity analyses of the run (`analysis/*/similarity.json`), when there are any.
    public let similarity: [SimilarityRecord]
    /// Universal adversarial perturbations found in the run's sub-folders (two levels down at most).
    public let uaps: [UAPRecord]
    /// Grad-CAM results of `scalpel explain` (`explanations/*`), when there are any.
    public let explanations: [ExplanationRecord]

    static let metricsLimit = 64 << 20, configurationLimit = 1 << 20, predictionsLimit = 512 << 20

    /// Reads the run in `folder`.
    ///
    /// - Throws: ``ReportError`` when the folder is not a run, holds a run without results yet, or a
    ///   file cannot be read; the message names the file.
    public init(folder: URL) throws {
        let files = try ResultFiles(folder)
        self.folder = files.folder
        guard files.exists("metrics.json") else {
            if ["config.yaml", "log.txt", "checkpoints/last.safetensors"].contains(where: files.exists) {
                throw ReportError("\(files.folder.path) holds a run without results yet (no metrics.json): it has not finished an epoch; report it after the first epoch, or continue it with scalpel train --resume")
            }
            if files.exists("compare.json") {
                throw ReportError("\(files.folder.path) is a comparison, not a run")
            }
            throw ReportError("\(files.folder.path) is not a run folder (no metrics.json, config.yaml or checkpoints); give a folder written by scalpel train or scalpel compare")
        }
        let metricsData = try files.data("metrics.json", limit: Self.metricsLimit)
        do {
            results = try JSONDecoder().decode(RunResults.self, from: metricsData)
        } catch {
            throw ReportError("\(files.url("metrics.json").path) is not a Scalpel metrics file: \(error)")
        }
        configuration = files.exists("config.yaml")
            ? try Self.configuration(files.data("config.yaml", limit: Self.configurationLimit), file: files.url("config.yaml").path)
            : []
        if let test = results.test, files.exists("predictions.csv") {
            let table = try? CSVTable(data: try files.data("predictions.csv", limit: Self.predictionsLimit),
                                      source: files.url("predictions.csv").path)
            guard let table else {
                throw ReportError("\(files.url("predictions.csv").path) is not a CSV file of predictions (sample_id,label,p_<class>…)")
            }
            predictions = try Self.predictions(table, report: test)
        } else {
            predictions = nil
        }
        similarity = try SimilarityRecord.all(in: files)
        let candidates = files.subfolders().filter { !["checkpoints", "tensorboard"].contains($0) }
        uaps = try (candidates + candidates.flatMap { files.subfolders(of: $0) })
            .filter { UAPRecord.isUAPFolder(files, $0) }.sorted().prefix(16)
            .map { try UAPRecord(files: files, relative: $0) }
        explanations = try ExplanationRecord.all(in: files)
    }

    /// The value of a configuration key.
    public func setting(_ key: String) -> String? { configuration.first { $0.key == key }?.value }

    static func configuration(_ data: Data, file: String) throws -> [(key: String, value: String)] {
        let text = String(decoding: data, as: UTF8.self)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ReportError("\(file) is not YAML: \(error)")
        }
        guard let mapping = node?.mapping else { return [] }
        if mapping["version"] != nil {
            // A versioned run specification: its fields under the option names that set them.
            do {
                return try RunSpecification(yaml: text, source: file).optionValues().map { ($0.option, $0.value) }
            } catch let error as ExperimentError {
                throw ReportError(error.description)
            }
        }
        return mapping.compactMap { key, value in
            guard let key = key.string, let value = value.scalar?.string else { return nil }
            return (key, value)
        }
    }

    /// Rebuilds the test predictions from predictions.csv: `sample_id,label,p_<class>…` with the class
    /// names of metrics.json; multi-label labels are class names joined by `|`.
    static func predictions(_ table: CSVTable, report: MetricReport) throws -> TestPredictions {
        let classes = report.classNames
        let expected = ["sample_id", "label"] + classes.map { "p_\($0)" }
        guard table.header == expected else {
            throw ReportError("\(table.source): the columns \(table.header.prefix(8).joined(separator: ",")) do not match metrics.json's classes (expected \(expected.prefix(8).joined(separator: ",")))")
        }
        var ids: [String] = [], labels: [[Int]] = [], probabilities: [[Double]] = []
        for (row, line) in zip(table.rows, table.lineNumbers) {
            let values = row.dropFirst(2).map { Double($0) }
            guard values.allSatisfy({ $0 != nil }) else {
                throw ReportError("\(table.source), line \(line): a probability is not a number")
            }
            let label: [Int]
            if report.task == .multiLabel {
                let positives = Set(row[1].split(separator: "|").map(String.init))
                label = classes.map { positives.contains($0) ? 1 : 0 }
            } else {
                guard let index = classes.firstIndex(of: row[1]) ?? Int(row[1]) else {
                    throw ReportError("\(table.source), line \(line): the label '\(row[1])' is not one of the classes \(classes.prefix(8))")
                }
                label = [index]
            }
            ids.append(row[0])
            labels.append(label)
            probabilities.append(values.map { $0! })
        }
        return TestPredictions(task: report.task, classNames: classes, sampleIDs: ids, labels: labels,
                               probabilities: probabilities)
    }
}

/// The rows of predictions.csv: one sample's id, label(s) and class probabilities.
public struct TestPredictions: Sendable, Equatable {
    public var task: ClassificationTask
    public var classNames: [String]
    public var sampleIDs: [String]
    /// One class index, or one 0/1 per class (multi-label), per sample.
    public var labels: [[Int]]
    public var probabilities: [[Double]]
}
