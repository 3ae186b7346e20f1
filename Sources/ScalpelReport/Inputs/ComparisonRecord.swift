// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What a report shows of a comparison folder (`scalpel compare`): `compare.json`'s strategy table and
/// the configurations of the runs below it (STRATEGY/seed-N), which must agree on the dataset.
public struct ComparisonRecord: Sendable {
    /// A summary over seeds.
    public struct Summary: Sendable, Codable, Equatable {
        public var mean: Double
        public var std: Double
    }

    /// One strategy's row of compare.json.
    public struct Row: Sendable, Codable, Equatable {
        public var strategy: String
        public var parameters: Int
        public var trainableParameters: Int?
        public var macs: Int
        public var latencyMilliseconds: Double
        public var trainingSeconds: Double?
        public var seeds: Int
        public var auroc: Summary?
        public var auprc: Summary?
        public var accuracy: Summary?
        /// Each seed's test metrics by name.
        public var runs: [[String: Double]]

        enum CodingKeys: String, CodingKey {
            case strategy, parameters, macs, seeds, auroc, auprc, accuracy, runs
            case trainableParameters = "trainable_parameters", latencyMilliseconds = "latency_ms"
            case trainingSeconds = "training_seconds"
        }
    }

    struct File: Codable {
        var title: String
        var rows: [Row]
    }

    public let folder: URL
    public let title: String
    public let rows: [Row]
    /// The runs found below the folder (relative paths) and the dataset each names in config.yaml.
    public let runs: [(path: String, data: String?)]

    static let fileLimit = 16 << 20, runLimit = 4096

    /// Reads the comparison in `folder`.
    ///
    /// - Throws: ``ReportError`` when compare.json is missing or malformed, or when the runs below the
    ///   folder name different datasets.
    public init(folder: URL) throws {
        let files = try ResultFiles(folder)
        self.folder = files.folder
        guard files.exists("compare.json") else {
            throw ReportError("\(files.folder.path) has no compare.json; is it a comparison folder (from scalpel compare)?")
        }
        let file = try files.decode(File.self, "compare.json", limit: Self.fileLimit, what: "a Scalpel comparison")
        title = file.title
        rows = file.rows
        // STRATEGY/seed-N run folders, two levels down at most.
        var found: [(path: String, data: String?)] = []
        for strategy in files.subfolders() {
            for candidate in [strategy] + files.subfolders(of: strategy) where found.count < Self.runLimit {
                guard files.exists(candidate + "/metrics.json") || files.exists(candidate + "/config.yaml") else { continue }
                let configuration = files.exists(candidate + "/config.yaml")
                    ? try RunRecord.configuration(files.data(candidate + "/config.yaml", limit: RunRecord.configurationLimit),
                                                  file: files.url(candidate + "/config.yaml").path)
                    : []
                found.append((candidate, configuration.first { $0.key == "data" }?.value))
            }
        }
        runs = found
        let datasets = Dictionary(grouping: found.filter { $0.data != nil }, by: { $0.data! })
        if datasets.count > 1 {
            let listing = datasets.keys.sorted().map { data in
                "\(data) (\(datasets[data]!.prefix(3).map(\.path).joined(separator: ", ")))"
            }.joined(separator: "; ")
            throw ReportError("the runs of the comparison \(files.folder.path) disagree on the dataset: \(listing); a comparison compares strategies on one dataset — rerun scalpel compare into a fresh folder")
        }
    }

    /// The dataset every run names (nil when no run has a config.yaml).
    public var dataset: String? { runs.lazy.compactMap(\.data).first }
}
