// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// A sweep on a real Slurm (the one-node cluster of scripts/services/slurm): emitted as a job array,
/// submitted with sbatch, one task told its time limit is near (the USR1 that `--signal` sends) so it
/// stops its run and requeues itself, and `sweep collect` giving the local executor's table.
/// Skipped with a notice when Slurm is not running here; a failure when CI=true.
@Suite(.serialized)
struct SlurmSweepTests {
    /// Runs a Slurm tool; returns its exit status and standard output.
    @discardableResult
    static func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let url = SlurmJobArray.tool(name) else { return (127, "") }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Whether a Slurm cluster answers here with a node ready for jobs; else a notice (or, with
    /// CI=true, a failure) naming the service script.
    static func slurmIsRunning() throws -> Bool {
        var reason: String?
        if SlurmJobArray.tool("sbatch") == nil || SlurmJobArray.tool("sinfo") == nil {
            reason = "sbatch/sinfo are not installed"
        } else {
            let (status, states) = try tool("sinfo", ["-h", "-o", "%T"])
            if status != 0 || !states.split(separator: "\n").contains(where: { ["idle", "mixed", "allocated", "completing"].contains(String($0)) }) {
                reason = "sinfo shows no node ready for jobs (\(states.trimmingCharacters(in: .whitespacesAndNewlines)))"
            }
        }
        guard let reason else { return true }
        let message = "Slurm is not running here: \(reason); start it with scripts/services/slurm (installs slurm-wlm and munge). Slurm sweep test skipped."
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: message)) } else { print("notice: " + message) }
        return false
    }

    /// The built `scalpel` when it and a running Slurm are here; else nil, after a notice (or a failure).
    static func scalpelAndSlurm(for test: String) throws -> URL? {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. \(test) skipped.")
            return nil
        }
        return try slurmIsRunning() ? scalpel : nil
    }

    /// A new empty folder for one test.
    static func newFolder(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// Waits until the job has left the queue or `deadline` passes; returns what squeue still shows
    /// (empty when the job is over), after cancelling the job if it is not.
    static func waitForJob(_ job: String, until deadline: Date) throws -> String {
        while Date() < deadline, try tool("squeue", ["-h", "-j", job]).output.contains(where: { !$0.isWhitespace }) {
            Thread.sleep(forTimeInterval: 0.5)
        }
        let waiting = try tool("squeue", ["-h", "-j", job]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        if !waiting.isEmpty { _ = try? tool("scancel", [job]) }
        return waiting
    }

    /// The sweep's table without the training-time column (the one number that differs between executors).
    static func table(of output: URL) throws -> [[String]] {
        try String(contentsOf: output.appendingPathComponent("sweep.csv"), encoding: .utf8).split(separator: "\n").map { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields.remove(at: 5)   // training_seconds
            return fields
        }
    }

    @Test func emitWritesTheScriptWithTheFlagsOverTheSweepFileAndSlurmFlagsNeedEmit() throws {
        let root = try Self.newFolder("slurm-emit")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("sweep.yaml")
        try """
            output: \(root.appendingPathComponent("out").path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1, bootstrap: 0}
            grid: {seed: [0, 1]}
            slurm: {partition: long, time: "1-00:00:00", signal-seconds: 600}
            """.write(to: file, atomically: true, encoding: .utf8)
        let jobs = root.appendingPathComponent("jobs")
        try SweepAndRunsCommandTests.run(SweepCommand.self, [file.path, "--emit", "slurm", "--output", jobs.path, "--time", "2:00:00", "--max-running", "5"])
        let script = try String(contentsOf: jobs.appendingPathComponent("sweep.sbatch"), encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-1%5\n") && script.contains("#SBATCH --time=2:00:00\n")
                && script.contains("#SBATCH --partition=long\n") && script.contains("#SBATCH --signal=B:USR1@600\n"))
        #expect(FileManager.default.fileExists(atPath: jobs.appendingPathComponent("task-1.yaml").path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out/seed=0").path), "emitting trained a run")

        for (arguments, expected) in [([file.path, "--partition", "x"], "need --emit slurm"),
                                      ([file.path, "--submit"], "need --emit slurm"),
                                      ([file.path, "--emit", "pbs"], "'pbs' is not a scheduler"),
                                      ([file.path, "--emit", "slurm", "--time", "soon"], "--time: 'soon' is not a valid value")] {
            do {
                try SweepAndRunsCommandTests.run(SweepCommand.self, arguments)
                Issue.record("\(arguments) ran")
            } catch {
                let message = SweepCommand.message(for: error)
                #expect(message.contains(expected), "\(arguments): \(message)")
            }
        }
    }

    @Test func aSweepOnSlurmWithARequeuedTaskCollectsTheLocalExecutorsTable() throws {
        guard let scalpel = try Self.scalpelAndSlurm(for: "Slurm sweep test") else { return }
        let root = try Self.newFolder("slurm-sweep")
        defer { try? FileManager.default.removeItem(at: root) }
        func sweep(_ name: String) throws -> URL {
            let file = root.appendingPathComponent("\(name).yaml")
            try """
                output: \(root.appendingPathComponent(name).path)
                base: {data: "synthetic:96", model: resnet18_28, weights: none, epochs: 3, batch-size: 16, bootstrap: 0}
                grid:
                  strategy:
                    - linear-probe
                    - block-wise
                    - full
                    - {strategy: lwft, class-weights: "1,2,3"}   # fails as it starts: the task has two classes
                concurrency: 2
                threads-per-run: 1
                slurm: {signal-seconds: 60}
                """.write(to: file, atomically: true, encoding: .utf8)
            return file
        }
        let slurmFile = try sweep("on-slurm"), localFile = try sweep("here")

        // Emit and submit: one array task per run, two at a time.
        let plan = try SweepPlan(contentsOf: slurmFile)
        let emission = try #require(try SlurmJobArray(plan: plan, executable: scalpel.path).write())
        #expect(emission.array == "0-3%2")
        let job = try SlurmJobArray.submit(emission.script)
        var over = false
        defer { if !over { _ = try? Self.tool("scancel", [job]) } }

        // When the full fine-tuning run has checkpointed its first epoch, tell its task (index 2) that
        // its time limit is near, as `--signal=B:USR1@60` would: it stops the run and requeues itself.
        let preempted = plan.points[2]
        let deadline = Date().addingTimeInterval(150)
        while !FileManager.default.fileExists(atPath: RunFolder(preempted.folder).lastCheckpointURL.path), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(!RunFolder(preempted.folder).isFinished, "the run finished before its task could be signalled")
        try Self.tool("scancel", ["--signal=USR1", "--batch", "\(job)_2"])

        // Wait (bounded) until every task has left the queue.
        let waiting = try Self.waitForJob(job, until: deadline)
        over = true
        let logs = (0..<4).map { (try? String(contentsOf: plan.output.appendingPathComponent("slurm/logs/\(job)_\($0).log"), encoding: .utf8)) ?? "" }
        try #require(waiting.isEmpty, "the job array \(job) did not end within 150 s: \(waiting); logs: \(logs)")

        // Every run finished; the preempted one was requeued and resumed from its checkpoint.
        #expect(plan.points.prefix(3).allSatisfy { RunFolder($0.folder).isFinished }, "logs: \(logs)")
        #expect(logs[2].contains("attempt 1") && logs[2].contains("requeueing array task \(job)_2") && logs[2].contains("attempt 2"), "\(logs[2])")
        let runLog = try String(contentsOf: RunFolder(preempted.folder).logURL, encoding: .utf8)
        #expect(runLog.contains("resumed after epoch"), "\(runLog)")

        // collect on the Slurm folder gives the local executor's table.
        try SweepAndRunsCommandTests.run(SweepCommand.self, ["collect", slurmFile.path])
        let state = try SweepState.read(in: plan.output)
        #expect(state.entries.map(\.status) == [.finished, .finished, .finished, .failed])
        #expect(state.entries[3].error?.contains("exit status 1 after 1 attempt(s)") == true, "\(state.entries[3])")
        #expect(state.entry(folder: preempted.folder.path)?.attempts == 2)
        // Emitting again finds every run finished (their config.yaml is the sweep's own) or failed:
        // nothing to submit, unless the failed one is retried.
        #expect(try SlurmJobArray(plan: plan, executable: scalpel.path).write() == nil)
        #expect(try SlurmJobArray(plan: plan, executable: scalpel.path, retryFailed: true).write()?.array == "3%2")
        let local = try SweepPlan(contentsOf: localFile)
        let localState = try SweepExecutor(plan: local, executable: scalpel).run()
        #expect(localState.entries.map(\.status) == [.finished, .finished, .finished, .failed])
        try SweepAndRunsCommandTests.run(SweepCommand.self, ["collect", localFile.path])
        let slurmTable = try Self.table(of: plan.output), localTable = try Self.table(of: local.output)
        #expect(slurmTable.count == 5 && slurmTable[4].suffix(3) == ["0", "1", "0"] && slurmTable == localTable, "Slurm: \(slurmTable)\nlocal: \(localTable)")
        // Stronger than the table's rounded means: every test prediction is the same, the resumed run's too.
        for (remote, here) in zip(plan.points.prefix(3), local.points) {
            #expect(try Data(contentsOf: RunFolder(remote.folder).predictionsURL) == Data(contentsOf: RunFolder(here.folder).predictionsURL),
                    "\(remote.name)")
        }
    }

    /// Issue 16's launch: a run of two processes is one array task of two Slurm tasks started with
    /// srun, which join one data-parallel run from SLURM_PROCID, SLURM_NTASKS and the job's node list.
    @Test func aRunOfTwoProcessesIsLaunchedWithSrunAndTrainsDataParallel() throws {
        guard let scalpel = try Self.scalpelAndSlurm(for: "Slurm srun test") else { return }
        let root = try Self.newFolder("slurm-srun")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("sweep.yaml")
        try """
            output: \(root.appendingPathComponent("out").path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1, batch-size: 16, bootstrap: 0}
            grid: {seed: [0]}
            threads-per-run: 1
            slurm: {processes-per-run: 2}
            """.write(to: file, atomically: true, encoding: .utf8)
        let plan = try SweepPlan(contentsOf: file)
        let emission = try #require(try SlurmJobArray(plan: plan, executable: scalpel.path).write())
        let job = try SlurmJobArray.submit(emission.script)
        let waiting = try Self.waitForJob(job, until: Date().addingTimeInterval(120))
        let log = (try? String(contentsOf: plan.output.appendingPathComponent("slurm/logs/\(job)_0.log"), encoding: .utf8)) ?? ""
        try #require(waiting.isEmpty, "the job \(job) did not end within 120 s: \(waiting); log: \(log)")
        #expect(log.contains("rank 0 of 2: rendezvous at ") && log.contains("rank 1 of 2: rendezvous at "), "\(log)")
        #expect(RunFolder(plan.points[0].folder).isFinished, "\(log)")
        try SweepAndRunsCommandTests.run(SweepCommand.self, ["collect", file.path])
        #expect(try Self.table(of: plan.output).last?.suffix(3) == ["1", "0", "0"])
    }
}
