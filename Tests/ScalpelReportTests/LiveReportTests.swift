// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelReport
@testable import ScalpelTraining

struct LiveReportTests {
    @Test func pageFollowsTheRunWithTheTerminalsETA() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = LiveReport(folder: folder, everySteps: 2, refreshSeconds: 7)
        let page = folder.appendingPathComponent("report.html")

        // Before the first epoch: progress only.
        #expect(live.record(.phaseStarted(name: "head", index: 0, count: 2, epochs: 3, trainableParameters: 10)) == nil)
        var html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("phase 1/2 &#39;head&#39; starting"))
        #expect(html.contains(#"<meta http-equiv="refresh" content="7">"#))

        // Every second step rewrites the page with the progress line.
        live.record(.batchFinished(epoch: 1, totalEpochs: 3, batch: 1, batches: 10, loss: 0.5, imagesPerSecond: 100, eta: 90))
        html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.contains("batch 1/10"))
        live.record(.batchFinished(epoch: 1, totalEpochs: 3, batch: 2, batches: 10, loss: 0.4567, imagesPerSecond: 120, eta: 83.4))
        html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("epoch 1/3, batch 2/10, loss 0.4567, 120 img/s, ETA 1:23"))
        #expect(LiveReport.clock(83.4) == "1:23" && LiveReport.clock(3725) == "1:02:05" && LiveReport.clock(.nan) == "--:--")

        // After epochs (metrics.json), the curves so far; when finished, the full page without reloading.
        let results = try ReportFixtures.run(in: folder, finished: false)
        live.record(.epochFinished(results.history[0], isBest: true))
        html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains(#"data-plot="loss-curves""#) && html.contains("Training in progress"))
        try ReportFixtures.run(in: folder, finished: true)
        #expect(live.finish() == nil)
        html = try String(contentsOf: page, encoding: .utf8)
        #expect(!html.contains("http-equiv=\"refresh\"") && !html.contains("Training in progress"))
        #expect(html.contains(#"data-plot="roc""#))
    }

    @Test func aPageThatCannotBeWrittenIsReportedOnce() {
        let live = LiveReport(folder: URL(fileURLWithPath: "/nonexistent-scalpel-folder"), everySteps: 1)
        let first = live.record(.testing(checkpoint: "best epoch 1"))
        #expect(first?.contains("could not be written") == true)
        #expect(live.record(.testing(checkpoint: "best epoch 1")) == nil)
    }
}
