// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining

/// The test results of one or more runs (seeds) as a text table, with mean ± std over seeds.
struct ResultsTable {
    static let columns = zip(SeedRuns.summaryMetrics, ["AUROC", "AUPRC", "ACC", "BACC"]).map { ($0, $1) }

    var title: String
    var runs: [(seed: UInt64, results: RunResults)]

    func text() -> String {
        var lines = [title]
        let header = ["seed", "best epoch"] + Self.columns.map { "\($0.1) [95% CI]" }
        var rows: [[String]] = [header]
        for run in runs {
            var row = [String(run.seed), run.results.best.map { String($0.epoch) } ?? "-"]
            for (key, _) in Self.columns {
                guard let metric = run.results.test?.metrics[key], let value = metric.value else { row.append("undefined"); continue }
                if let lower = metric.lower, let upper = metric.upper {
                    row.append(String(format: "%.4f [%.4f, %.4f]", value, lower, upper))
                } else {
                    row.append(String(format: "%.4f", value))
                }
            }
            rows.append(row)
        }
        if runs.count > 1 {
            var row = ["mean ± std", ""]
            for (key, _) in Self.columns {
                let summary = Self.meanAndStd(runs.compactMap { $0.results.test?.metrics[key]?.value })
                row.append(summary.map { String(format: "%.4f ± %.4f", $0.mean, $0.std) } ?? "undefined")
            }
            rows.append(row)
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let notes = runs.flatMap { run in
            (run.results.test?.metrics ?? [:]).compactMap { key, value in value.note.map { "seed \(run.seed) \(key): \($0)" } }
        }
        return (lines + notes.sorted()).joined(separator: "\n")
    }

    static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double)? { SeedRuns.meanAndStd(values) }
}
