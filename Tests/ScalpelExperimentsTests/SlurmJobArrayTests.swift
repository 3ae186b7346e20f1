// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing

/// `scalpel sweep --emit slurm` without a cluster: the batch script and task specifications written,
/// the runs chosen, the Slurm options checked, the script's signal path driven with stand-ins for
/// `scalpel` and `scontrol`, and the tasks' outcomes read back. The real cluster: SlurmSweepTests.
@Suite(.serialized)
struct SlurmJobArrayTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-slurm-\(UUID().uuidString)")
    }

    static func plan(in root: URL, extra: String = "") throws -> SweepPlan {
        try SweepPlan(yaml: """
            output: \(root.appendingPathComponent("out").path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1, batch-size: 16, bootstrap: 0}
            grid:
              seed: [0, 1, 2]
            concurrency: 2
            threads-per-run: 1
            \(extra)
            """, source: "sweep.yaml")
    }

    /// Runs `/bin/bash ARGUMENTS` and returns its exit status and standard error.
    static func bash(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func theScriptIsAJobArrayOfOneTaskPerRunThatRequeuesItselfNearItsTimeLimit() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.plan(in: root, extra: "slurm: {partition: short, time: \"0:30:00\", mem: 4G, gres: \"gpu:1\", signal-seconds: 90}")
        #expect(plan.slurm.partition == "short" && plan.slurm.timeLimitSeconds == 1800)
        let emission = try #require(try SlurmJobArray(plan: plan, executable: "/opt/scalpel's bin/scalpel").write())
        #expect(emission.tasks == [0, 1, 2] && emission.array == "0-2%2")
        let script = try String(contentsOf: emission.script, encoding: .utf8)
        for line in ["#SBATCH --array=0-2%2", "#SBATCH --output=\(root.path)/out/slurm/logs/%A_%a.log", "#SBATCH --requeue",
                     "#SBATCH --signal=B:USR1@90", "#SBATCH --cpus-per-task=1", "#SBATCH --time=0:30:00",
                     "#SBATCH --partition=short", "#SBATCH --mem=4G", "#SBATCH --gres=gpu:1", "#SBATCH --open-mode=append",
                     #""$SCALPEL" train --config "$spec" --output "$folder" --resume &"#,
                     #"default_scalpel='/opt/scalpel'\''s bin/scalpel'"#] {
            #expect(script.contains(line + "\n"), "missing: \(line)")
        }
        #expect(script.contains(#"scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}""#))
        #expect(!script.contains("srun") && !script.contains("--ntasks"))
        // One specification per task, the point's own (with its threads), run by index.
        for (index, point) in plan.points.enumerated() {
            let url = root.appendingPathComponent("out/slurm/task-\(index).yaml")
            #expect(try RunSpecification(contentsOf: url) == point.specification)
            #expect(script.contains("FOLDERS[\(index)]='\(point.folder.path)'\n"))
        }
        #expect(try Self.bash(["-n", emission.script.path]).status == 0)
        // Outside Slurm the script refuses to guess a task.
        let outside = try Self.bash([emission.script.path], environment: ["SLURM_ARRAY_TASK_ID": ""])
        #expect(outside.status != 0 && outside.errors.contains("submit it with sbatch"))
    }

    @Test func aRunOfSeveralProcessesIsLaunchedWithSrun() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        var options = try Self.plan(in: root).slurm
        try options.set("processes-per-run", to: "4", place: "--processes-per-run")
        try options.set("nodes", to: "2", place: "--nodes")
        try options.set("cpus-per-task", to: "8", place: "--cpus-per-task")
        let emission = try #require(try SlurmJobArray(plan: try Self.plan(in: root), options: options, executable: "scalpel").write())
        let script = try String(contentsOf: emission.script, encoding: .utf8)
        #expect(script.contains("#SBATCH --ntasks=4\n#SBATCH --nodes=2\n#SBATCH --cpus-per-task=8\n"))
        #expect(script.contains(#"srun --kill-on-bad-exit=1 "$SCALPEL" train"#))
    }

    @Test func withoutThreadsPerRunTheTaskSpecIsThePointsOwnAndThreadsFollowTheTasksCPUs() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try SweepPlan(yaml: """
            output: \(root.appendingPathComponent("out").path)
            base: {data: "synthetic:48", model: resnet18_28, weights: none, epochs: 1}
            grid: {seed: [0]}
            slurm: {cpus-per-task: 4}
            """, source: "sweep.yaml")
        let emission = try #require(try SlurmJobArray(plan: plan, executable: "scalpel").write())
        let script = try String(contentsOf: emission.script, encoding: .utf8)
        #expect(script.contains("#SBATCH --cpus-per-task=4\n") && script.contains("#SBATCH --array=0%1\n"))
        #expect(script.contains(#"export OMP_NUM_THREADS="${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}""#))
        let specification = try RunSpecification(contentsOf: root.appendingPathComponent("out/slurm/task-0.yaml"))
        #expect(specification == plan.points[0].specification && specification.runtime.threads == nil)
    }

    @Test func onlyRunsStillToTrainAreEmittedAndFailedOnesOnlyWhenRetried() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.plan(in: root)
        let output = plan.output
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let failed = #"{"entries": [{"name": "seed=1", "folder": "\#(plan.points[1].folder.path)", "status": "failed", "error": "boom", "attempts": 1}]}"#
        try Data(failed.utf8).write(to: SweepState.url(in: output))
        #expect(try SlurmJobArray(plan: plan, executable: "scalpel").write()?.array == "0,2%2")
        #expect(try SlurmJobArray(plan: plan, executable: "scalpel", retryFailed: true).write()?.array == "1%2")
        var capped = plan.slurm
        try capped.set("max-running", to: "7", place: "--max-running")
        #expect(try SlurmJobArray(plan: plan, options: capped, executable: "scalpel").write()?.array == "0,2%7")
    }

    @Test func nearItsTimeLimitATaskStopsItsRunAndRequeuesItselfByItsArrayTaskID() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.plan(in: root)
        let emission = try #require(try SlurmJobArray(plan: plan, executable: "scalpel").write())
        // Stand-ins: a `scalpel` that records its arguments and how it ended, a `scontrol` that records its own.
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let record = root.appendingPathComponent("record")
        try """
            #!/bin/bash
            echo "train $*" >> '\(record.path)'
            trap 'echo "train stopped by TERM" >> "\(record.path)"; exit 143' TERM
            touch '\(record.path).started'
            for i in $(seq 1 300); do sleep 0.1; done
            echo "train not stopped" >> '\(record.path)'
            """.write(to: bin.appendingPathComponent("scalpel"), atomically: true, encoding: .utf8)
        try "#!/bin/bash\necho \"scontrol $*\" >> '\(record.path)'\n"
            .write(to: bin.appendingPathComponent("scontrol"), atomically: true, encoding: .utf8)
        for name in ["scalpel", "scontrol"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent(name).path)
        }
        // slurmd starts the script with every signal at its default; this test process may ignore some
        // (and bash cannot trap a signal ignored when it starts), so reset them as slurmd would.
        let task = Process()
        task.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        task.arguments = ["--default-signal", "/bin/bash", emission.script.path]
        task.environment = ProcessInfo.processInfo.environment.merging([
            "SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_JOB_ID": "77", "SLURM_JOB_ID": "78",
            "SCALPEL": bin.appendingPathComponent("scalpel").path,
            "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]) { $1 }
        task.standardOutput = FileHandle.nullDevice
        try task.run()
        let started = Date()
        while !FileManager.default.fileExists(atPath: record.path + ".started"), Date().timeIntervalSince(started) < 20 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(task.processIdentifier, SIGUSR1)   // what --signal=B:USR1@S sends S seconds before the limit
        task.waitUntilExit()
        let lines = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == ["train train --config \(root.path)/out/slurm/task-1.yaml --output \(plan.points[1].folder.path) --resume",
                          "train stopped by TERM", "scontrol requeue 77_1"])
        #expect(task.terminationStatus == 0)
        // A requeued task records no outcome: it is not over.
        #expect(!FileManager.default.fileExists(atPath: SlurmJobArray.outcomesFolder(in: plan.output).appendingPathComponent("task-1").path))
    }

    @Test func collectReadsHowEachTaskEnded() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.plan(in: root)
        #expect(try SlurmJobArray.recordOutcomes(of: plan) == nil)
        let outcomes = SlurmJobArray.outcomesFolder(in: plan.output)
        try FileManager.default.createDirectory(at: outcomes, withIntermediateDirectories: true)
        try "1\t2\t\(plan.points[2].folder.path)\t/logs/9_2.log\n".write(to: outcomes.appendingPathComponent("task-2"), atomically: true, encoding: .utf8)
        try "garbage".write(to: outcomes.appendingPathComponent("task-0"), atomically: true, encoding: .utf8)
        let state = try #require(try SlurmJobArray.recordOutcomes(of: plan))
        let entry = try #require(state.entry(folder: plan.points[2].folder.path))
        #expect(entry.status == .failed && entry.attempts == 2 && entry.error?.contains("exit status 1 after 2 attempt(s); log: /logs/9_2.log") == true)
        let summary = try SweepSummary(plan: plan)
        #expect(summary.rows.map(\.failed) == [1] && summary.rows.map(\.missing) == [2])
    }

    @Test func submittingWithoutSlurmNamesThePackages() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let error = #expect(throws: ExperimentError.self) {
            try SlurmJobArray.submit(root.appendingPathComponent("sweep.sbatch"), path: root.path)
        }
        #expect(error?.description.contains("sbatch was not found") == true && error?.description.contains("slurm-wlm munge") == true)
    }

    @Test(arguments: [
        ("slurm: {partitoin: a}\n", "'slurm.partitoin' is not a Slurm option"),
        ("slurm: {time: soon}\n", "'soon' is not a valid value"),
        ("slurm: {time: \"0:30\"}\n", "shorter than a minute"),
        ("slurm: {partition: \"a\\n#SBATCH --uid=0\"}\n", "is not a valid value"),
        ("slurm: {mem: lots}\n", "'slurm.mem': 'lots' is not a valid value"),
        ("slurm: {cpus-per-task: 0}\n", "'slurm.cpus-per-task' must be a whole number from 1"),
        ("slurm: {signal-seconds: [1]}\n", "'slurm.signal-seconds' must be one value"),
        ("slurm: [partition]\n", "'slurm' must be a mapping"),
    ])
    func badSlurmOptionsAreExplained(_ text: String, _ expected: String) {
        let error = #expect(throws: ExperimentError.self) { try SweepPlan(yaml: "base: {data: x}\n" + text, source: "sweep.yaml") }
        #expect(error?.description.contains(expected) == true, "message was: \(error?.description ?? "none")")
    }

    @Test func optionsThatContradictEachOtherAreRefusedBeforeAnythingIsWritten() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        for (extra, expected) in [("slurm: {time: 2, signal-seconds: 300}", "signal-seconds 300 is not shorter than the time limit"),
                                  ("slurm: {nodes: 2}", "nodes 2 is more than processes-per-run 1")] {
            let plan = try Self.plan(in: root, extra: extra)
            let error = #expect(throws: ExperimentError.self) { try SlurmJobArray(plan: plan, executable: "scalpel").write() }
            #expect(error?.description.contains(expected) == true, "message was: \(error?.description ?? "none")")
        }
        let spaced = try Self.plan(in: root)
        let error = #expect(throws: ExperimentError.self) {
            try SlurmJobArray(plan: spaced, folder: root.appendingPathComponent("my jobs"), executable: "scalpel").write()
        }
        #expect(error?.description.contains("holds a space") == true)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out/slurm").path))
    }
}
