// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import ScalpelExperiments
@testable import ScalpelReport

/// The sweep page, from a folder whose sweep.json is written by ScalpelExperiments' own SweepSummary
/// (so a change of that format fails here).
struct SweepSectionTests {
    /// A 3 (lr) × 2 (strategy) × 2 (seed) sweep: lr=1 never ran, one linear-probe seed at lr=0.01 is missing.
    static func writeSweep(to folder: URL) throws -> SweepSummary {
        let plan = try SweepPlan(yaml: """
            output: \(folder.path)
            base: {data: pneumoniamnist, model: resnet18_28, epochs: 4}
            grid:
              lr: [0.0001, 0.01, 1]
              strategy: [full, linear-probe]
              seed: [0, 1]
            """, source: "sweep.yaml")
        for (index, point) in plan.points.enumerated() where !point.name.hasPrefix("lr=1,") && point.name != "lr=0.01,strategy=linear-probe,seed=1" {
            _ = try ReportFixtures.run(in: point.folder, seed: UInt64(index + 1))
        }
        let summary = try SweepSummary(plan: plan)
        try summary.write(to: folder, title: "lr × strategy")
        return summary
    }

    @Test func sweepPageShowsTheTableAndAUROCAgainstEachAxis() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try Self.writeSweep(to: folder)

        let record = try SweepRecord(folder: folder)
        #expect(record.rows.map(\.run) == summary.rows.map(\.group) && record.rows.count == 6)
        #expect(record.axes.map(\.axis) == ["lr", "strategy"] && record.axes[1].points.map(\.label) == ["full", "linear-probe", "full", "linear-probe", "full", "linear-probe"])
        #expect(record.rows.map(\.seeds) == [2, 2, 2, 1, 0, 0] && record.rows.map(\.missing) == [0, 0, 0, 1, 2, 2])

        let html = try ReportPage.make(folders: [folder]).html()
        for section in ["sweep-summary", "sweep-table-section", "sweep-axes"] { #expect(html.contains(#"<section id="\#(section)""#)) }
        for (row, expected) in zip(record.rows, summary.rows) {
            guard let auroc = expected.summary("auroc") else {
                #expect(row.seeds == 0 && html.contains("<td>\(row.run)</td><td>–</td>"))   // listed, not plotted
                continue
            }
            #expect(html.contains(#"data-run="\#(row.run)" data-metric="auroc" data-part="mean">\#(HTML.number(auroc.mean))<"#))
            #expect(html.contains(#"data-run="\#(row.run)" data-metric="auroc" data-part="std">\#(HTML.number(auroc.std))<"#))
        }
        // lr spans two decades among the finished points: a log axis; strategy is categorical: positions named in the caption.
        #expect(html.contains(#"data-plot="sweep-axis-0""#) && html.contains(#"data-plot="sweep-axis-1""#))
        #expect(html.contains("against lr (log scale)") && html.contains("1 = full, 2 = linear-probe"))
    }

    @Test func badSweepTableIsRefusedWithItsName() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"rows": [{"run": "lr=1"}]}"#.utf8).write(to: folder.appendingPathComponent("sweep.json"))
        do {
            _ = try ReportPage.make(folders: [folder])
            Issue.record("a sweep.json without seeds was accepted")
        } catch {
            #expect("\(error)".contains("sweep.json is not a Scalpel sweep table"))
        }
    }
}
