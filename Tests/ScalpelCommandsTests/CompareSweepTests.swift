// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// `compare` is a sweep over strategies × seeds (and each stage of `search` a sweep over its
/// candidates): a failed run is recorded and the others go on, `--resume --retry-failed` reruns only
/// the failed one, and an existing comparison is not overwritten without `--resume` or `--force`.
@Suite(.serialized)
struct CompareSweepTests {
    static let quick = ["--data", "synthetic:72", "--model", "resnet18_28", "--weights", "none", "--epochs", "1",
                        "--batch-size", "16", "--bootstrap", "0", "--quiet", "--latency-repeats", "1",
                        "--strategies", "full; linear-probe", "--seeds", "0,1"]

    @Test func aFailedRunIsRecordedTheOthersGoOnAndOnlyItIsRetried() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-compare-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A file where the run folder of full, seed 1 should be: that run cannot start.
        let blocked = folder.appendingPathComponent("full/seed-1")
        try FileManager.default.createDirectory(at: blocked.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: blocked)
        let error = #expect(throws: CommandError.self) {
            try CompareCommand.parse(Self.quick + ["--output", folder.path, "--resume"]).run()
        }
        #expect(error?.description.contains("1 run(s) failed") == true && error?.description.contains("strategy=full,seed=1") == true,
                "\(error?.description ?? "no error")")
        let state = try SweepState.read(in: folder)
        #expect(state.entries.count == 4)
        #expect(state.entries.filter { $0.status == .finished }.count == 3)
        #expect(state.entry(folder: blocked.path)?.status == .failed)
        // The table was written with what finished: full has one seed, linear-probe two.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("compare.json"))) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["seeds"] as? Int } == [1, 2])

        // Without --retry-failed the failure stays (and is reported again); with it, only that run trains.
        try FileManager.default.removeItem(at: blocked)
        #expect(throws: CommandError.self) { try CompareCommand.parse(Self.quick + ["--output", folder.path, "--resume"]).run() }
        #expect(try SweepState.read(in: folder).entry(folder: blocked.path)?.attempts == 1)
        try CompareCommand.parse(Self.quick + ["--output", folder.path, "--resume", "--retry-failed"]).run()
        let retried = try SweepState.read(in: folder)
        #expect(retried.entries.allSatisfy { $0.status == .finished })
        #expect(retried.entries.map(\.attempts) == [1, 2, 1, 1])
        let after = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("compare.json"))) as? [String: Any])
        #expect((after["rows"] as? [[String: Any]])?.map { $0["seeds"] as? Int } == [2, 2])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("full/summary.json").path))
    }

    @Test func aFailedSearchCandidateDoesNotStopTheOthers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-search-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--data", "synthetic:72", "--model", "resnet18_28", "--weights", "none", "--epochs", "1", "--batch-size", "16",
                         "--bootstrap", "0", "--quiet", "--strategy", "transfusion", "--output", folder.path, "--resume"]
        let blocked = folder.appendingPathComponent("stage1-layer1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: blocked)
        let error = #expect(throws: CommandError.self) { try SearchCommand.parse(arguments).run() }
        #expect(error?.description.contains("candidate=stage1-layer1") == true, "\(error?.description ?? "no error")")
        struct Report: Decodable {
            struct Candidate: Decodable { var cut: String }
            var candidates: [Candidate]
            var best: Candidate?
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: folder.appendingPathComponent("search.json")))
        #expect(report.candidates.map(\.cut) == ["stem", "layer2", "layer3"] && report.best != nil)
        try FileManager.default.removeItem(at: blocked)
        try SearchCommand.parse(arguments + ["--retry-failed"]).run()
        let retried = try JSONDecoder().decode(Report.self, from: Data(contentsOf: folder.appendingPathComponent("search.json")))
        #expect(retried.candidates.map(\.cut) == ["stem", "layer1", "layer2", "layer3"])
        #expect(try SweepState.read(in: folder).entries.map(\.attempts) == [1, 2, 1, 1])
    }

    @Test func concurrentRunsAreTrainProcessesAndGiveTheSameTable() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. compare --concurrency test skipped.")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-compare-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = scalpel
        process.arguments = ["compare"] + Self.quick + ["--threads", "1", "--concurrency", "2", "--output", folder.path]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(messages)")
        // Each run was a `scalpel train --config` process with its own specification (seed included).
        let spec = try RunSpecification(contentsOf: folder.appendingPathComponent(".sweep/run-3.yaml"))
        #expect(spec.strategy.name == "linear-probe" && spec.runtime.seed == 1)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".sweep/run-0.log").path))
        #expect(try SweepState.read(in: folder).entries.allSatisfy { $0.status == .finished })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("compare.json"))) as? [String: Any])
        #expect((json["rows"] as? [[String: Any]])?.map { $0["seeds"] as? Int } == [2, 2])
    }

    @Test func anExistingComparisonNeedsResumeOrForce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-compare-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("linear-probe/seed-0"), withIntermediateDirectories: true)
        let error = #expect(throws: CommandError.self) { try CompareCommand.parse(Self.quick + ["--output", folder.path]).run() }
        #expect(error?.description.contains("--resume") == true && error?.description.contains("linear-probe/seed-0") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("full").path))   // nothing trained
        #expect(throws: (any Error).self) { try CompareCommand.parse(Self.quick + ["--output", folder.path, "--concurrency", "0"]) }
    }
}
