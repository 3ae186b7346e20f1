// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelExperiments
import ScalpelTraining
import Testing

/// `scalpel compare`, `search`, `sweep run` and `attack uap` killed with SIGKILL in the middle of a run, then run again
/// (with --resume): every run ends with the results of an uninterrupted command. And a parallel sweep
/// stopped with SIGTERM stops its runs and continues later.
@Suite(.serialized)
struct KillAndResumeTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-kill-\(UUID().uuidString)")
    }

    /// Runs `scalpel arguments` to its end; its exit status.
    static func run(_ scalpel: URL, _ arguments: [String]) throws -> Int32 {
        let process = try launch(scalpel, arguments)
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func launch(_ scalpel: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = scalpel
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts `arguments`, kills it with SIGKILL as soon as `file` exists, and reports whether it was
    /// still running then (false: it ended first, and the test proves nothing).
    static func kill(_ scalpel: URL, _ arguments: [String], when file: URL) throws -> Bool {
        let victim = try launch(scalpel, arguments)
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: file.path), victim.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let wasRunning = victim.isRunning
        Foundation.kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        return wasRunning && victim.terminationReason == .uncaughtSignal
    }

    /// The same test results and byte-identical predictions in two run folders.
    static func expectSameResults(_ a: URL, _ b: URL) throws {
        let first = try RunResults(contentsOf: RunFolder(a).metricsURL), second = try RunResults(contentsOf: RunFolder(b).metricsURL)
        #expect(first.status == .finished && second.status == .finished)
        #expect(first.test == second.test, "\(b.path)")
        #expect(first.history.map(\.trainingLoss) == second.history.map(\.trainingLoss))
        #expect(try Data(contentsOf: RunFolder(a).predictionsURL) == Data(contentsOf: RunFolder(b).predictionsURL))
    }

    static let quick = ["--data", "synthetic:48", "--model", "resnet18_28", "--weights", "none", "--epochs", "2",
                        "--batch-size", "16", "--bootstrap", "0", "--threads", "1", "--quiet"]

    @Test func aKilledComparisonResumesToTheSameResults() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. Compare SIGKILL test skipped.")
            return
        }
        let reference = Self.temporaryFolder(), killed = Self.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: reference)
            try? FileManager.default.removeItem(at: killed)
        }
        let compare = ["compare"] + Self.quick + ["--strategies", "linear-probe; full", "--seeds", "0", "--latency-repeats", "1"]
        #expect(try Self.run(scalpel, compare + ["--output", reference.path]) == 0)
        // Killed once the second strategy's first epoch is checkpointed.
        let second = RunFolder(killed.appendingPathComponent("full")).lastCheckpointURL
        #expect(try Self.kill(scalpel, compare + ["--output", killed.path], when: second), "the comparison ended before it was killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("compare.csv").path))
        #expect(try Self.run(scalpel, compare + ["--output", killed.path, "--resume"]) == 0)
        for strategy in ["linear-probe", "full"] {
            try Self.expectSameResults(reference.appendingPathComponent(strategy), killed.appendingPathComponent(strategy))
        }
        #expect(FileManager.default.fileExists(atPath: killed.appendingPathComponent("compare.csv").path))
    }

    @Test func aKilledSearchResumesToTheSameCandidatesAndWinner() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. Search SIGKILL test skipped.")
            return
        }
        let reference = Self.temporaryFolder(), killed = Self.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: reference)
            try? FileManager.default.removeItem(at: killed)
        }
        let search = ["search"] + Self.quick + ["--strategy", "truncated"]
        #expect(try Self.run(scalpel, search + ["--output", reference.path]) == 0)
        // Killed during the third candidate's second epoch.
        let third = RunFolder(killed.appendingPathComponent("stage1-layer2")).lastCheckpointURL
        #expect(try Self.kill(scalpel, search + ["--output", killed.path], when: third), "the search ended before it was killed")
        #expect(try Self.run(scalpel, search + ["--output", killed.path, "--resume"]) == 0)
        let candidates = try FileManager.default.contentsOfDirectory(atPath: reference.path).filter { $0.hasPrefix("stage") }.sorted()
        let resumedCandidates = try FileManager.default.contentsOfDirectory(atPath: killed.path).filter { $0.hasPrefix("stage") }.sorted()
        #expect(candidates.count >= 5 && candidates == resumedCandidates)
        for candidate in candidates {
            try Self.expectSameResults(reference.appendingPathComponent(candidate), killed.appendingPathComponent(candidate))
        }
        // The same candidates, scores and winner (folders aside).
        func outcome(_ folder: URL) throws -> String {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("search.json"))) as? [String: Any]
            let rows = ((object?["candidates"] as? [[String: Any]]) ?? []) + [(object?["best"] as? [String: Any]) ?? [:]]
            return rows.map { row in ["stage", "cut", "parameters", "score", "testAUROC"].map { "\(row[$0] ?? "-")" }.joined(separator: " ") }
                .joined(separator: "\n")
        }
        #expect(try outcome(reference) == outcome(killed))
    }

    @Test func aKilledUniversalPerturbationResumesToTheSameResult() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. UAP SIGKILL test skipped.")
            return
        }
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run"), reference = root.appendingPathComponent("a"), killed = root.appendingPathComponent("b")
        // A run good enough for the attack to find a perturbation (‖v‖ > 0) in 4 chunks of 16 images.
        #expect(try Self.run(scalpel, ["train", "--data", "synthetic:96", "--model", "resnet18_28", "--weights", "none", "--epochs", "3",
                                       "--batch-size", "16", "--lr", "0.01", "--bootstrap", "0", "--threads", "1", "--quiet",
                                       "--output", run.path]) == 0)
        let attack = ["attack", "uap", run.path, "--source", "train", "--chunk", "16", "--random-draws", "2", "--threads", "1"]
        #expect(try Self.run(scalpel, attack + ["--output", reference.path]) == 0)
        #expect(try Self.kill(scalpel, attack + ["--output", killed.path], when: killed.appendingPathComponent(UAPRunner.progressFile)),
                "the attack ended before it was killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent(UAPRunner.resultsFile).path))
        #expect(try Self.run(scalpel, attack + ["--output", killed.path]) == 0)
        let a = try JSONDecoder().decode(UAPResult.self, from: Data(contentsOf: reference.appendingPathComponent(UAPRunner.resultsFile)))
        #expect(a.perturbationL2 > 0)
        for file in [UAPRunner.resultsFile, "uap.npy", "results.csv"] {
            #expect(try Data(contentsOf: reference.appendingPathComponent(file)) == Data(contentsOf: killed.appendingPathComponent(file)), "\(file)")
        }
    }

    @Test func aKilledSweepRunsAgainToTheSameResults() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. Sweep SIGKILL test skipped.")
            return
        }
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func sweep(_ name: String) throws -> SweepPlan {
            let file = root.appendingPathComponent("\(name).yaml")
            try """
                output: \(root.appendingPathComponent(name).path)
                base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 2, batch-size: 16, bootstrap: 0, threads: 1}
                grid:
                  strategy: [linear-probe, full]
                """.write(to: file, atomically: true, encoding: .utf8)
            return try SweepPlan(contentsOf: file)
        }
        let reference = try sweep("reference"), killed = try sweep("killed")
        #expect(try Self.run(scalpel, ["sweep", "run", root.appendingPathComponent("reference.yaml").path, "--quiet"]) == 0)
        let second = RunFolder(killed.points[1].folder).lastCheckpointURL
        #expect(try Self.kill(scalpel, ["sweep", "run", root.appendingPathComponent("killed.yaml").path, "--quiet"], when: second),
                "the sweep ended before it was killed")
        #expect(!RunFolder(killed.points[1].folder).isFinished)
        #expect(try Self.run(scalpel, ["sweep", "run", root.appendingPathComponent("killed.yaml").path, "--quiet"]) == 0)
        for (a, b) in zip(reference.points, killed.points) { try Self.expectSameResults(a.folder, b.folder) }
    }

    @Test func aParallelSweepStoppedWithSIGTERMStopsItsRunsAndContinuesLater() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. Sweep SIGTERM test skipped.")
            return
        }
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("sweep.yaml")
        try """
            output: \(root.appendingPathComponent("out").path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 3, batch-size: 16, bootstrap: 0}
            grid:
              seed: [0, 1]
            concurrency: 2
            threads-per-run: 1
            """.write(to: file, atomically: true, encoding: .utf8)
        let plan = try SweepPlan(contentsOf: file)
        let sweep = try Self.launch(scalpel, ["sweep", "run", file.path, "--quiet"])
        let first = RunFolder(plan.points[0].folder).lastCheckpointURL, deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: first.path), sweep.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        Foundation.kill(sweep.processIdentifier, SIGTERM)
        sweep.waitUntilExit()
        #expect(sweep.terminationStatus == 143)
        // Both runs stopped (none left training on its own), unfinished and not counted as failed.
        #expect(plan.points.allSatisfy { !RunFolder($0.folder).isFinished })
        let state = try SweepState.read(in: plan.output)
        #expect(state.entries.allSatisfy { $0.status != .failed }, "\(state.entries.map(\.error))")
        #expect(try Self.run(scalpel, ["sweep", "run", file.path, "--quiet"]) == 0)
        #expect(plan.points.allSatisfy { RunFolder($0.folder).isFinished })
    }
}
