// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// What a report shows of a sweep folder (`scalpel sweep` / `scalpel sweep collect`): `sweep.json`,
/// one row per grid point without its seed (`axis=label,…`) with test metrics as mean ± std over the
/// finished seeds and the failed and missing runs counted.
public struct SweepRecord: Sendable {
    /// One grid point's row of sweep.json.
    public struct Row: Sendable, Decodable, Equatable {
        /// `axis=label,…` (empty for a grid of seeds only).
        public var run: String
        public var seeds: Int
        public var failed: Int
        public var missing: Int
        public var trainingSeconds: Double?
        public var auroc: ComparisonRecord.Summary?
        public var auprc: ComparisonRecord.Summary?
        public var accuracy: ComparisonRecord.Summary?

        enum CodingKeys: String, CodingKey {
            case run, seeds, failed, missing, auroc, auprc, accuracy
            case trainingSeconds = "training_seconds"
        }

        /// The row's grid point as (axis, label) pairs, in order; nil when `run` is not `axis=label,…`.
        public var labels: [(axis: String, label: String)]? {
            guard !run.isEmpty else { return [] }
            var pairs: [(axis: String, label: String)] = []
            for part in run.split(separator: ",", omittingEmptySubsequences: false) {
                guard let equals = part.firstIndex(of: "="), equals != part.startIndex else { return nil }
                pairs.append((String(part[..<equals]), String(part[part.index(after: equals)...])))
            }
            return pairs
        }
    }

    struct File: Decodable { var rows: [Row] }

    public let folder: URL
    public let rows: [Row]

    static let fileLimit = 16 << 20, rowLimit = 100_000

    /// Whether `files` holds a sweep's collected table.
    static func isSweepFolder(_ files: ResultFiles) -> Bool { files.exists("sweep.json") }

    /// Reads the sweep in `folder`.
    ///
    /// - Throws: ``ReportError`` when sweep.json is missing, malformed or larger than a report reads.
    public init(folder: URL) throws {
        let files = try ResultFiles(folder)
        self.folder = files.folder
        guard files.exists("sweep.json") else {
            throw ReportError("\(files.folder.path) has no sweep.json; is it a sweep folder? Run scalpel sweep collect on its sweep file first")
        }
        let file = try files.decode(File.self, "sweep.json", limit: Self.fileLimit, what: "a Scalpel sweep table")
        guard file.rows.count <= Self.rowLimit else {
            throw ReportError("\(files.url("sweep.json").path) has \(file.rows.count) rows, more than the \(Self.rowLimit) a report shows")
        }
        rows = file.rows
    }

    /// The axes of the grid in order of first appearance, each with its rows' (label, row) pairs.
    public var axes: [(axis: String, points: [(label: String, row: Row)])] {
        var order: [String] = []
        var points: [String: [(label: String, row: Row)]] = [:]
        for row in rows {
            for pair in row.labels ?? [] {
                if points[pair.axis] == nil { order.append(pair.axis) }
                points[pair.axis, default: []].append((pair.label, row))
            }
        }
        return order.map { ($0, points[$0]!) }
    }
}
