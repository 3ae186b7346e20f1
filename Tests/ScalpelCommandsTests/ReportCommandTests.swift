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
        try TrainCommand.parse(TrainCommandTests.arguments(output: folder) + ["--report-every", "3"]).run()
        let run = RunFolder(folder)
        // --report-every: the live page ends as the finished run's report.
        let live = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(live.contains(#"data-plot="roc""#) && !live.contains("Training in progress"))
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
        try FileManager.default.removeItem(at: folder.appendingPathComponent("report.html"))
        try ReportCommand.parse([folder.path]).run()
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
    }

    @Test func reportEveryMustBePositive() {
        #expect(throws: (any Error).self) {
            try TrainCommand.parse(TrainCommandTests.arguments(output: TrainCommandTests.temporaryFolder()) + ["--report-every", "0"])
        }
        #expect((try? TrainCommand.parse(TrainCommandTests.arguments(output: TrainCommandTests.temporaryFolder()) + ["--report-every", "1"])) != nil)
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

/// `--report-every` with several seeds: one live page per trained seed folder, finished seeds skipped.
struct LiveReportsTests {
    @Test func eachTrainedSeedGetsItsPage() throws {
        let root = TrainCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folders = ["seed-0", "seed-1", "seed-2"].map { root.appendingPathComponent($0) }
        for folder in folders { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data(#"{"status": "finished"}"#.utf8).write(to: RunFolder(folders[0]).metricsURL)
        let live = LiveReports(everySteps: 1, folders: folders, resume: true, force: false)
        let page = { (index: Int) in folders[index].appendingPathComponent("report.html") }
        #expect(live.record(.phaseStarted(name: "head", index: 0, count: 2, epochs: 1, trainableParameters: 1)) == nil)
        #expect(FileManager.default.fileExists(atPath: page(1).path))
        _ = live.record(.phaseStarted(name: "all", index: 1, count: 2, epochs: 1, trainableParameters: 1))
        #expect(!FileManager.default.fileExists(atPath: page(2).path))
        _ = live.record(.resumed(completedEpochs: 1))
        _ = live.record(.phaseStarted(name: "head", index: 0, count: 2, epochs: 1, trainableParameters: 1))
        #expect(FileManager.default.fileExists(atPath: page(2).path))
        #expect(try String(contentsOf: page(1), encoding: .utf8).contains("Training in progress") == false)
        #expect(live.finish() == nil)
        #expect(!FileManager.default.fileExists(atPath: page(0).path))
    }
}
