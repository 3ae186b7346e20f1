// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing

/// Sweep files: expansion of a grid (with options bundled per strategy), the errors for bad sweeps,
/// and a sweep run that survives a failing run, resumes and retries only the failure.
@Suite(.serialized)
struct SweepTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-sweep-\(UUID().uuidString)")
    }

    @Test func aGridExpandsIntoOneRunPerCombination() throws {
        let plan = try SweepPlan(yaml: """
            output: out
            base: {data: breastmnist, model: resnet18_28, epochs: 4, lr: 0.001}
            grid:
              strategy:
                - full
                - {strategy: linear-probe, lr: 0.01, epochs: 20}
                - {strategy: truncated, strategy-params: "cut=layer2"}
              seed: [0, 1]
            threads-per-run: 2
            concurrency: 3
            """, source: "sweep.yaml")
        #expect(plan.points.count == 6 && plan.axes == ["strategy", "seed"] && plan.concurrency == 3)
        #expect(plan.points.map(\.name).prefix(3) == ["strategy=full,seed=0", "strategy=full,seed=1", "strategy=linear-probe,seed=0"])
        let probe = plan.points[2].specification
        #expect(probe.strategy.name == "linear-probe" && probe.training.lr == 0.01 && probe.training.epochs == 20)
        #expect(plan.points[0].specification.training.lr == 0.001 && plan.points[0].specification.training.epochs == 4)
        #expect(plan.points[5].specification.strategy.parameters == "cut=layer2" && plan.points[5].specification.runtime.seed == 1)
        #expect(plan.points.allSatisfy { $0.specification.runtime.threads == 2 })
        #expect(plan.points[4].folder.path.hasSuffix("out/strategy=truncated/seed=0"))
        try plan.checkSize(confirmed: false)
    }

    @Test(arguments: [
        ("base: {data: x}\ngird: {seed: [0]}\n", "'gird' is not a sweep key"),
        ("base: {data: x, epochz: 3}\n", "'base.epochz' is not a run option"),
        ("base: {data: x}\ngrid: {seed: []}\n", "expands to no run"),
        ("base: {data: x}\ngrid: {colour: [red]}\n", "'colour' is not a run option"),
        ("base: {data: x}\ngrid: {data: [a/b.npz, a_b.npz]}\n", "both resolve to the run folder"),
        ("base: {epochs: 2}\n", "no data source"),
        ("base: {data: x, epochs: 0}\n", "--epochs"),
        ("base: {data: x}\nconcurrency: 0\n", "'concurrency' must be a whole number"),
        ("base: {data: x, seed: [1, 2]}\n", "put lists under grid"),
    ])
    func badSweepsAreExplainedBeforeAnythingRuns(_ text: String, _ expected: String) {
        let error = #expect(throws: ExperimentError.self) { try SweepPlan(yaml: text, source: "sweep.yaml") }
        #expect(error?.description.contains(expected) == true, "message was: \(error?.description ?? "none")")
    }

    @Test func aGridLargerThanItsCapNeedsConfirmation() throws {
        let plan = try SweepPlan(yaml: "base: {data: x}\ngrid: {seed: [0, 1, 2]}\nmax-runs: 2\n", source: "sweep.yaml")
        let error = #expect(throws: ExperimentError.self) { try plan.checkSize(confirmed: false) }
        #expect(error?.description.contains("3 runs, more than max-runs 2") == true && error?.description.contains("--yes") == true)
        try plan.checkSize(confirmed: true)
    }

    @Test func aFailingRunIsRecordedAndTheOthersGoOn() throws {
        let output = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: output) }
        // The third class weight fails the second strategy when its run starts (the task has two classes).
        let text = """
            output: \(output.path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1, batch-size: 16, bootstrap: 0}
            grid:
              strategy:
                - linear-probe
                - {strategy: full, class-weights: "1,2,3"}
              seed: [0]
            """
        let plan = try SweepPlan(yaml: text, source: "sweep.yaml")
        let state = try SweepExecutor(plan: plan).run()
        #expect(state.entries.map(\.status) == [.finished, .failed])
        #expect(state.entries[1].error?.contains("3 given") == true)
        #expect(RunFolder(plan.points[0].folder).isFinished)

        // A rerun reads the finished run back and leaves the failed one; --retry-failed runs only it.
        let metrics = RunFolder(plan.points[0].folder).metricsURL
        let before = try FileManager.default.attributesOfItem(atPath: metrics.path)[.modificationDate] as? Date
        #expect(try SweepExecutor(plan: plan).run().entries.map(\.status) == [.finished, .failed])
        let retried = try SweepExecutor(plan: plan, retryFailed: true).run()
        #expect(retried.entries.map(\.attempts) == [1, 2])
        #expect(try FileManager.default.attributesOfItem(atPath: metrics.path)[.modificationDate] as? Date == before)

        // A sweep file changed since the run finished: the finished run is not read back as if it were the new one.
        let changed = try SweepPlan(yaml: text.replacingOccurrences(of: "epochs: 1", with: "epochs: 2"), source: "sweep.yaml")
        let error = #expect(throws: ExperimentError.self) { try SweepExecutor(plan: changed).run() }
        #expect(error?.description.contains("training.epochs: 1 → 2") == true)

        let summary = try SweepSummary(plan: plan)
        #expect(summary.rows.map(\.group) == ["strategy=linear-probe", "strategy=full"])
        #expect(summary.rows.map(\.runs.count) == [1, 0] && summary.rows.map(\.failed) == [0, 1])
        #expect(summary.markdown(title: "t").contains("| strategy=full | undefined | undefined |"))
    }
}
