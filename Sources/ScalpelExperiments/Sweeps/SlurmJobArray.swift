// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// A sweep as a Slurm job array: one array task per run still to train, each training its own
/// specification with `scalpel train --resume`, so a task that is requeued (by itself near its time
/// limit, by a preemption or a node failure) continues from its last complete epoch.
///
/// Written into `folder` (default `OUTPUT/slurm`): `sweep.sbatch` (the batch script), `task-I.yaml`
/// (the specification of the run at index I of the plan) and `logs/JOB_I.log`. Each task that ends
/// writes its exit status to `OUTPUT/slurm-tasks/task-I`, which `sweep collect` reads back into
/// `sweep-state.json` (``recordOutcomes(of:)``).
public struct SlurmJobArray {
    public var plan: SweepPlan
    public var options: SlurmOptions
    public var folder: URL
    /// The `scalpel` the compute nodes run (the script's `SCALPEL` variable overrides it).
    public var executable: String
    /// Emit only the runs that failed before.
    public var retryFailed: Bool
    public var note: (String) -> Void

    /// A task requeued this many times without finishing is recorded as failed instead.
    public static let maximumRequeues = 20

    /// What ``write()`` wrote: the batch script and the plan indices of its array tasks.
    public struct Emission {
        public var script: URL
        public var tasks: [Int]
        /// The `--array` value: the task indices as ranges, with the `%N` cap.
        public var array: String
    }

    public init(plan: SweepPlan, options: SlurmOptions? = nil, folder: URL? = nil, executable: String,
                retryFailed: Bool = false, note: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.options = options ?? plan.slurm
        self.folder = folder ?? plan.output.appendingPathComponent("slurm")
        self.executable = executable
        self.retryFailed = retryFailed
        self.note = note
    }

    /// Where the tasks record how they ended.
    public static func outcomesFolder(in output: URL) -> URL { output.appendingPathComponent("slurm-tasks") }

    /// Checks every run's inputs, then writes the specifications and the script for the runs still to
    /// train. Returns nil (writing no script) when every run has finished or failed before.
    public func write() throws -> Emission? {
        try options.validate()
        for (what, url) in [("the sweep's output", plan.output), ("--output", folder)]
        where url.path.contains(where: { $0.isWhitespace || $0.isNewline || "'\"%\\".contains($0) }) {
            throw ExperimentError("slurm: \(what) \(url.path) holds a space, quote, % or backslash, which #SBATCH lines cannot hold; choose a folder without them")
        }
        // Not while a local `scalpel sweep` of the same file trains (it holds this lock).
        let lock = try FolderLock(plan.output, purpose: "the sweep's output folder")
        defer { lock.release() }
        let executor = SweepExecutor(plan: plan, retryFailed: retryFailed, note: note)
        _ = try executor.checkInputs()
        let (todo, _) = try executor.runsToTrain()
        guard !todo.isEmpty else { return nil }
        if let last = todo.last?.index, last >= 1000 {
            note("slurm: array indices go up to \(last); Slurm's default MaxArraySize (1001) allows 0…1000 — ask your administrators, or split the sweep")
        }
        let cpus = options.cpusPerTask ?? plan.threadsPerRun ?? 1
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("logs"), withIntermediateDirectories: true)
        // Each task runs its point's own specification (a finished run is read back only with the same
        // fields); without threads-per-run, libtorch takes its threads from OMP_NUM_THREADS, set below.
        for (index, point) in plan.points.enumerated() {
            try point.specification.write(to: specificationURL(index),
                                    header: "Run \(point.name) of the sweep in \(plan.output.path): array task \(index)")
        }
        let outcomes = Self.outcomesFolder(in: plan.output)
        for (index, _) in todo {
            try? FileManager.default.removeItem(at: outcomes.appendingPathComponent("task-\(index)"))
        }
        let array = Self.ranges(todo.map(\.index)) + "%\(options.maximumRunning ?? plan.concurrency)"
        let script = folder.appendingPathComponent("sweep.sbatch")
        try RunFolder.writeAtomically(Data(self.script(array: array, cpus: cpus).utf8), to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return Emission(script: script, tasks: todo.map(\.index), array: array)
    }

    func specificationURL(_ index: Int) -> URL { folder.appendingPathComponent("task-\(index).yaml") }

    /// `0-3,5,7-8`: sorted indices as Slurm array ranges.
    static func ranges(_ indices: [Int]) -> String {
        var runs: [(first: Int, last: Int)] = []
        for index in indices.sorted() {
            if let last = runs.last?.last, index == last + 1 { runs[runs.count - 1].last = index } else { runs.append((index, index)) }
        }
        return runs.map { $0.first == $0.last ? "\($0.first)" : "\($0.first)-\($0.last)" }.joined(separator: ",")
    }

    /// A value as one shell word: `'…'` with every `'` written as `'\''`.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The batch script (see docs/slurm.md for each line).
    func script(array: String, cpus: Int) -> String {
        let directives: [String?] = [
            "--job-name=scalpel-\(SweepPlan.folderSafe(plan.output.lastPathComponent))",
            "--array=\(array)",
            "--output=\(folder.appendingPathComponent("logs").path)/%A_%a.log",
            "--open-mode=append",
            "--requeue",
            "--signal=B:USR1@\(options.signalSeconds)",
            options.processesPerRun > 1 ? "--ntasks=\(options.processesPerRun)" : nil,
            options.nodes.map { "--nodes=\($0)" },
            "--cpus-per-task=\(cpus)",
            options.time.map { "--time=\($0)" },
            options.partition.map { "--partition=\($0)" },
            options.memory.map { "--mem=\($0)" },
            options.gres.map { "--gres=\($0)" },
            options.account.map { "--account=\($0)" },
            options.qos.map { "--qos=\($0)" },
        ]
        // Paths go into #SBATCH lines unquoted: refuse the characters that would break them.
        let launch = options.processesPerRun > 1
            ? "srun --kill-on-bad-exit=1 \"$SCALPEL\"" // one process per Slurm task; ranks from SLURM_PROCID/SLURM_NTASKS
            : "\"$SCALPEL\""
        var lines = [
            "#!/bin/bash",
            "# Scalpel sweep \(plan.output.lastPathComponent) as a Slurm job array: one array task per run,",
            "# written by `scalpel sweep --emit slurm`. Submit: sbatch \(Self.quoted(folder.appendingPathComponent("sweep.sbatch").path))",
            "# Each task trains its task-I.yaml with --resume; near the time limit it stops the run (which keeps",
            "# its last complete epoch) and requeues itself. Results: scalpel sweep collect SWEEP.yaml",
        ]
        lines += directives.compactMap { $0.map { "#SBATCH \($0)" } }
        lines += [
            "set -u",
            "# USR1 comes signal-seconds before the time limit (--signal=B:…: to this shell only): stop the run,",
            "# which keeps its last complete epoch, then requeue this task; the next attempt resumes the run.",
            "stopping=0",
            "child=",
            #"on_usr1() { stopping=1; echo "scalpel sweep: time limit near; stopping the run to requeue it"; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; }"#,
            "trap on_usr1 USR1",
            "# Runs without threads-per-run use the task's CPUs.",
            #"export OMP_NUM_THREADS="${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}""#,
            "default_scalpel=\(Self.quoted(executable))",
            "SCALPEL=\"${SCALPEL:-$default_scalpel}\"",
            "TASKS=\(Self.quoted(folder.path))",
            "OUTCOMES=\(Self.quoted(Self.outcomesFolder(in: plan.output).path))",
            "MAX_REQUEUES=\(Self.maximumRequeues)",
            "declare -a FOLDERS",
        ]
        lines += plan.points.enumerated().map { "FOLDERS[\($0.offset)]=\(Self.quoted($0.element.folder.path))" }
        lines += [
            #"task="${SLURM_ARRAY_TASK_ID:?this script is a Slurm job array: submit it with sbatch}""#,
            #"folder="${FOLDERS[$task]:-}""#,
            #"[ -n "$folder" ] || { echo "array task $task: no run of the sweep has this index" >&2; exit 2; }"#,
            #"spec="$TASKS/task-$task.yaml""#,
            #"attempt=$(( ${SLURM_RESTART_COUNT:-0} + 1 ))"#,
            #"echo "scalpel sweep: array task $task, attempt $attempt, job ${SLURM_JOB_ID:-?} on $(hostname): $folder""#,
            "",
            "# Records how the task ended (exit status, attempts, folder, log) for `sweep collect`.",
            "record() {",
            #"  mkdir -p "$OUTCOMES" && printf '%s\t%s\t%s\t%s\n' "$1" "$attempt" "$folder" "$TASKS/logs/${SLURM_ARRAY_JOB_ID:-0}_$task.log" > "$OUTCOMES/task-$task.$$" && mv -f "$OUTCOMES/task-$task.$$" "$OUTCOMES/task-$task""#,
            "}",
            #"finished() { grep -Eqs '"status" *: *"finished"' "$folder/metrics.json"; }"#,
            #"if finished; then echo "the run has finished already"; record 0; exit 0; fi"#,
            "status=0",
            #"if [ "$stopping" = 0 ]; then"#,
            #"  \#(launch) train --config "$spec" --output "$folder" --resume &"#,
            "  child=$!",
            #"  wait "$child"; status=$?"#,
            #"  while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done"#,
            "fi",
            #"if [ "$stopping" = 1 ] && ! finished; then"#,
            #"  if [ "$attempt" -gt "$MAX_REQUEUES" ]; then"#,
            #"    echo "scalpel sweep: requeued $MAX_REQUEUES times without finishing; giving up" >&2; record 75; exit 75"#,
            "  fi",
            // Slurm ends this script as it requeues the task: say so before.
            #"  echo "scalpel sweep: requeueing array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}""#,
            #"  if scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; then exit 0; fi"#,
            #"  echo "scalpel sweep: scontrol requeue failed; the run stays unfinished (emit and submit the sweep again to continue it)" >&2"#,
            "  record 75; exit 75",
            "fi",
            #"if finished; then status=0; fi"#,
            #"record "$status""#,
            #"exit "$status""#,
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
