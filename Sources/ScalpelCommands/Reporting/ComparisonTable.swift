// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelTraining

/// The comparison of strategies, one row per strategy: test AUROC and AUPRC as mean ± std over seeds,
/// parameters (M), MACs per image (G) and batch-1 latency (ms) — the columns of the TruncatedTL
/// paper's Table 1 — plus what training costs: the parameters that train and the mean training time
/// per seed.
struct ComparisonTable {
    struct Row {
        var strategy: String
        var runs: [RunResults]
        var parameters: Int
        /// Parameters that train in at least one phase.
        var trainableParameters: Int
        var macs: Int
        var latencyMilliseconds: Double

        func summary(_ metric: String) -> (mean: Double, std: Double)? {
            ResultsTable.meanAndStd(runs.compactMap { $0.test?.metrics[metric]?.value })
        }

        /// Mean training time per seed (training steps and feature caching; not validation or the test).
        var trainingSeconds: Double {
            runs.isEmpty ? 0 : runs.map(\.trainingSeconds).reduce(0, +) / Double(runs.count)
        }
    }

    var title: String
    var rows: [Row]

    static func format(_ summary: (mean: Double, std: Double)?) -> String {
        summary.map { String(format: "%.4f ± %.4f", $0.mean, $0.std) } ?? "undefined"
    }

    func markdown() -> String {
        var lines = ["# \(title)", "",
                     "| strategy | AUROC | AUPRC | P (M) | MACs (G) | T (ms) | trained P (M) | train (s) | seeds |",
                     "|---|---|---|---|---|---|---|---|---|"]
        for row in rows {
            lines.append("| \(row.strategy) | \(Self.format(row.summary("auroc"))) | \(Self.format(row.summary("auprc"))) | "
                + String(format: "%.2f | %.3f | %.2f | %.3f | %.1f | %d |", Double(row.parameters) / 1e6,
                         Double(row.macs) / 1e9, row.latencyMilliseconds, Double(row.trainableParameters) / 1e6,
                         row.trainingSeconds, row.runs.count))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func csv() -> String {
        var lines = ["strategy,auroc_mean,auroc_std,auprc_mean,auprc_std,parameters,macs,latency_ms,trainable_parameters,training_seconds,seeds"]
        for row in rows {
            let auroc = row.summary("auroc"), auprc = row.summary("auprc")
            var fields: [String] = [row.strategy]
            for summary in [auroc, auprc] {
                fields.append(summary.map { String($0.mean) } ?? "")
                fields.append(summary.map { String($0.std) } ?? "")
            }
            fields += [String(row.parameters), String(row.macs), String(format: "%.4f", row.latencyMilliseconds),
                       String(row.trainableParameters), String(format: "%.1f", row.trainingSeconds), String(row.runs.count)]
            lines.append(CSVWriter.row(fields))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json() throws -> Data {
        let objects: [[String: Any]] = rows.map { row in
            var object: [String: Any] = ["strategy": row.strategy, "parameters": row.parameters, "macs": row.macs,
                                         "latency_ms": row.latencyMilliseconds, "seeds": row.runs.count,
                                         "trainable_parameters": row.trainableParameters,
                                         "training_seconds": row.trainingSeconds]
            for metric in ["auroc", "auprc", "accuracy"] {
                if let summary = row.summary(metric) { object[metric] = ["mean": summary.mean, "std": summary.std] }
            }
            object["runs"] = row.runs.map { run in
                (run.test?.metrics ?? [:]).compactMapValues { $0.value }
            }
            return object
        }
        return try JSONSerialization.data(withJSONObject: ["title": title, "rows": objects], options: [.prettyPrinted, .sortedKeys])
    }
}
