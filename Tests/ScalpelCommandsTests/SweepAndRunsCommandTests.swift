// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// `scalpel sweep` (runs in parallel processes, collect) and `scalpel runs` (list, show, reindex).
@Suite(.serialized)
struct SweepAndRunsCommandTests {
    /// Parses and runs a command with subcommands, as `scalpel` does.
    static func run(_ command: any ParsableCommand.Type, _ arguments: [String]) throws {
        var parsed = try command.parseAsRoot(arguments)
        try parsed.run()
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-sweep-cli-\(UUID().uuidString)")
    }

    @Test func aSweepRunsTwoProcessesAtOnceAndCollectsItsTable() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. Parallel sweep test skipped.")
            return
        }
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("sweep.yaml")
        try """
            output: \(root.appendingPathComponent("out").path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1, batch-size: 16, bootstrap: 0}
            grid:
              strategy: [linear-probe, full]
              seed: [0, 1]
            concurrency: 2
            threads-per-run: 1
            """.write(to: file, atomically: true, encoding: .utf8)
        let plan = try SweepPlan(contentsOf: file)
        let state = try SweepExecutor(plan: plan, executable: scalpel).run()
        #expect(state.entries.count == 4 && state.entries.allSatisfy { $0.status == .finished }, "\(state.entries.map(\.error))")
        #expect(plan.points.allSatisfy { RunFolder($0.folder).isFinished })
        // Each run's config.yaml is its point's specification.
        for point in plan.points {
            #expect(try RunSpecification(contentsOf: RunFolder(point.folder).configURL) == point.specification)
        }
        try Self.run(SweepCommand.self, ["collect", file.path])
        let table = try String(contentsOf: plan.output.appendingPathComponent("sweep.csv"), encoding: .utf8).split(separator: "\n")
        #expect(table.count == 3 && table[1].hasPrefix("\"strategy=linear-probe\",") && table[1].hasSuffix(",2,0,0"))
    }

    @Test func aSweepTooLargeForItsCapIsRefusedBeforeAnythingRuns() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let file = root.appendingPathComponent("sweep.yaml")
        try "output: \(root.path)/out\nbase: {data: \"synthetic:48\"}\ngrid: {seed: [0, 1, 2]}\nmax-runs: 2\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: ExperimentError.self) { try Self.run(SweepCommand.self, [file.path]) }
        #expect(error?.description.contains("--yes") == true)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))
    }

    @Test func runsAreListedShownAndReindexed() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let runs = root.appendingPathComponent("runs")
        try TrainCommand.parse(["--data", "synthetic:48", "--model", "resnet18_28", "--weights", "none", "--epochs", "1",
                                "--batch-size", "16", "--bootstrap", "0", "--quiet", "--output", runs.appendingPathComponent("a").path]).run()
        let database = root.appendingPathComponent("runs.sqlite").path
        try Self.run(RunsCommand.self, ["reindex", runs.path, "--index", database])
        let index = try RunIndex(at: URL(fileURLWithPath: database))
        let recorded = try index.runs()
        #expect(recorded.count == 1 && recorded[0].model == "resnet18_28" && recorded[0].status == "finished")
        #expect(recorded[0].auroc == (try RunResults(contentsOf: RunFolder(runs.appendingPathComponent("a")).metricsURL)).test?.metrics["auroc"]?.value)

        #expect(try RunsCommand.parseAsRoot(["--where", "auroc>=0", "--sort", "-auroc", "--index", database]) is RunsCommand.List)
        try Self.run(RunsCommand.self, ["--where", "strategy=full", "--json", "--index", database])
        try Self.run(RunsCommand.self, ["show", String(recorded[0].id!), "--index", database])
        #expect(throws: CommandError.self) { try Self.run(RunsCommand.self, ["show", "999", "--index", database]) }
        do {
            _ = try RunsCommand.parseAsRoot(["--where", "speed>1", "--index", database])
            Issue.record("an unknown field parsed")
        } catch {
            #expect(RunsCommand.message(for: error).contains("'speed' is not a field of the run index"))
        }
    }
}
