// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// A sweep's results merged into one table: one row per grid point without its seed (the `seed`
/// axis), test AUROC and AUPRC as mean ± std over the finished seeds, with the failed and missing runs
/// counted.
public struct SweepSummary {
    public struct Row {
        /// The grid point without its seed, `axis=label,…` (empty for a grid of seeds only).
        public var group: String
        public var runs: [RunResults]
        public var failed: Int
        /// Runs not finished (never started, interrupted).
        public var missing: Int

        public func summary(_ metric: String) -> (mean: Double, std: Double)? { SeedRuns.summary(runs, metric: metric) }

        public var trainingSeconds: Double {
            runs.isEmpty ? 0 : runs.map(\.trainingSeconds).reduce(0, +) / Double(runs.count)
        }
    }

    public var rows: [Row]

    /// Reads every run of `plan` from its folder (and the failures from `sweep-state.json`).
    public init(plan: SweepPlan) throws {
        let state = try SweepState.read(in: plan.output)
        var rows: [Row] = []
        for point in plan.points {
            let group = point.labels.filter { $0.axis != "seed" }.map { "\($0.axis)=\($0.label)" }.joined(separator: ",")
            if !rows.contains(where: { $0.group == group }) { rows.append(Row(group: group, runs: [], failed: 0, missing: 0)) }
            let index = rows.firstIndex { $0.group == group }!
            let folder = RunFolder(point.folder)
            if folder.isFinished {
                rows[index].runs.append(try RunResults(contentsOf: folder.metricsURL))
            } else if state.entry(folder: point.folder.path)?.status == .failed {
                rows[index].failed += 1
            } else {
                rows[index].missing += 1
            }
        }
        self.rows = rows
    }

    static func format(_ summary: (mean: Double, std: Double)?) -> String {
        summary.map { String(format: "%.4f ± %.4f", $0.mean, $0.std) } ?? "undefined"
    }

    public func markdown(title: String) -> String {
        var lines = ["# \(title)", "", "| run | AUROC | AUPRC | train (s) | seeds | failed | missing |", "|---|---|---|---|---|---|---|"]
        for row in rows {
            lines.append("| \(row.group.isEmpty ? "all" : row.group) | \(Self.format(row.summary("auroc"))) | \(Self.format(row.summary("auprc"))) | "
                + String(format: "%.1f | %d | %d | %d |", row.trainingSeconds, row.runs.count, row.failed, row.missing))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func csv() -> String {
        var lines = ["run,auroc_mean,auroc_std,auprc_mean,auprc_std,training_seconds,seeds,failed,missing"]
        for row in rows {
            var fields = ["\"" + row.group.replacingOccurrences(of: "\"", with: "\"\"") + "\""]
            for metric in ["auroc", "auprc"] {
                let summary = row.summary(metric)
                fields += [summary.map { String($0.mean) } ?? "", summary.map { String($0.std) } ?? ""]
            }
            fields += [String(format: "%.1f", row.trainingSeconds), String(row.runs.count), String(row.failed), String(row.missing)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func json() throws -> Data {
        let objects: [[String: Any]] = rows.map { row in
            var object: [String: Any] = ["run": row.group, "seeds": row.runs.count, "failed": row.failed, "missing": row.missing,
                                         "training_seconds": row.trainingSeconds]
            for metric in SeedRuns.summaryMetrics {
                if let summary = row.summary(metric) { object[metric] = ["mean": summary.mean, "std": summary.std] }
            }
            return object
        }
        return try JSONSerialization.data(withJSONObject: ["rows": objects], options: [.prettyPrinted, .sortedKeys])
    }

    /// Writes `sweep.md`, `sweep.csv` and `sweep.json` into the sweep's output folder.
    public func write(to output: URL, title: String) throws {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(Data(markdown(title: title).utf8), to: output.appendingPathComponent("sweep.md"))
        try RunFolder.writeAtomically(Data(csv().utf8), to: output.appendingPathComponent("sweep.csv"))
        try RunFolder.writeAtomically(try json(), to: output.appendingPathComponent("sweep.json"))
    }
}
