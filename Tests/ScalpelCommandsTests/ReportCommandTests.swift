// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelReport
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// `scalpel report` on a run that `scalpel train` just wrote, and its one-line errors.
@Suite(.serialized)
struct ReportCommandTests {
    @Test func reportOfATrainedRun() throws {
        let folder = TrainCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TrainCommand.parse(TrainCommandTests.arguments(output: folder)).run()
        let run = RunFolder(folder)
        let events = try FileManager.default.contentsOfDirectory(atPath: run.tensorboardURL.path)
        #expect(events.count == 1 && events[0].hasPrefix("events.out.tfevents."))

        let page = folder.appendingPathComponent("page.html")
        try ReportCommand.parse([folder.path, "--output", page.path]).run()
        let html = try String(contentsOf: page, encoding: .utf8)
        let results = try RunResults(contentsOf: run.metricsURL)
        let auroc = try #require(results.test?.metrics["auroc"])
        #expect(html.contains(#"data-metric="auroc" data-part="value">\#(HTML.number(auroc.value))<"#))
        #expect(html.contains(#"data-metric="auroc" data-part="lower">\#(HTML.number(auroc.lower))<"#))
        #expect(html.contains(#"data-plot="roc""#) && html.contains(#"data-plot="loss-curves""#))
        #expect(html.contains("efficientnet_lite0"))

        // Default output: report.html in the folder.
        try ReportCommand.parse([folder.path]).run()
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
    }

    @Test func errorsAreOneLine() throws {
        let folder = TrainCommandTests.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try ReportCommand.parse([folder.path]).run()
            Issue.record("an empty folder must be refused")
        } catch {
            #expect(RootCommand.isUserFacing(error))
            #expect("\(error)".contains("is not a run folder"))
        }
    }
}
