// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import GRDB
import ScalpelData
import ScalpelDownload
import ScalpelTraining

/// One run in the run index: what it is (hash of its specification, data, model, strategy, seed),
/// how it went (status, test metrics, timings) and where it is.
public struct IndexedRun: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"

    public var id: Int64?
    /// The run folder, absolute: one row per folder.
    public var folder: String
    /// sha256 of the run's specification (its YAML without the header): equal runs have equal hashes.
    public var specificationHash: String
    /// `finished`, `running` (an epoch checkpointed, not finished) or `started` (no epoch done).
    public var status: String
    public var dataset: String
    public var model: String
    public var weights: String
    public var strategy: String
    public var parameters: String
    public var seed: Int64
    public var epochs: Int
    public var lr: Double
    public var auroc: Double?
    public var auprc: Double?
    public var accuracy: Double?
    public var balancedAccuracy: Double?
    public var bestEpoch: Int?
    /// Epochs completed.
    public var epochsDone: Int
    /// Seconds in training steps (and feature caching).
    public var trainingSeconds: Double?
    /// When the run's results were last written (metrics.json, else config.yaml).
    public var updatedAt: Date
    /// The run's specification as YAML.
    public var specification: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Reads the run in `folder` (its `config.yaml`, and `metrics.json` when there is one).
    public init(folder url: URL) throws {
        let runFolder = RunFolder(url)
        let specification = try RunSpecification(contentsOf: runFolder.configURL)
        let yaml = try specification.yaml()
        var results: RunResults?
        if FileManager.default.fileExists(atPath: runFolder.metricsURL.path) {
            do { results = try RunResults(contentsOf: runFolder.metricsURL) } catch let error as TrainingError {
                throw ExperimentError(error.description)
            }
        }
        let stamped = results == nil ? runFolder.configURL : runFolder.metricsURL
        let modified = (try? FileManager.default.attributesOfItem(atPath: stamped.path)[.modificationDate] as? Date) ?? nil
        folder = runFolder.url.path
        specificationHash = FileDigest.hex(of: Data(yaml.utf8), .sha256)
        status = results.map { $0.status.rawValue } ?? "started"
        dataset = specification.data.source
        model = specification.model.architecture
        weights = specification.model.weights
        strategy = specification.strategy.name
        parameters = specification.strategy.parameters
        seed = Int64(truncatingIfNeeded: specification.runtime.seed)
        epochs = specification.training.epochs
        lr = specification.training.lr
        let metrics = results?.test?.metrics ?? [:]
        auroc = metrics["auroc"]?.value
        auprc = metrics["auprc"]?.value
        accuracy = metrics["accuracy"]?.value
        balancedAccuracy = metrics["balanced-accuracy"]?.value
        bestEpoch = results?.best?.epoch
        epochsDone = results?.history.count ?? 0
        trainingSeconds = results?.trainingSeconds
        updatedAt = modified ?? Date(timeIntervalSince1970: 0)
        self.specification = yaml
    }

    /// The fields `--where` and `--sort` take, by their command-line names, and their columns.
    public static let fields: [(name: String, column: String)] = [
        ("id", "id"), ("folder", "folder"), ("hash", "specificationHash"), ("status", "status"), ("dataset", "dataset"),
        ("model", "model"), ("weights", "weights"), ("strategy", "strategy"), ("parameters", "parameters"),
        ("seed", "seed"), ("epochs", "epochs"), ("lr", "lr"), ("auroc", "auroc"), ("auprc", "auprc"),
        ("accuracy", "accuracy"), ("balanced-accuracy", "balancedAccuracy"), ("best-epoch", "bestEpoch"),
        ("epochs-done", "epochsDone"), ("training-seconds", "trainingSeconds"), ("updated", "updatedAt"),
    ]

    static func column(named name: String) throws -> String {
        guard let column = fields.first(where: { $0.name == name })?.column else {
            throw ExperimentError("'\(name)' is not a field of the run index (fields: \(fields.map(\.name).joined(separator: ", ")))")
        }
        return column
    }
}
