// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelModels

/// `scalpel sweep FILE.yaml`: every combination of a grid of options, trained with bounded
/// concurrency, resumable, failures recorded; `scalpel sweep collect FILE.yaml`: the results table.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train every combination of a grid of options; collect their results into one table.",
        discussion: """
            FILE.yaml: base (options shared by every run), grid (option: [values]; a value may be a mapping of \
            several options, e.g. {strategy: linear-probe, lr: 0.01}), output, max-runs (default 100; more needs \
            --yes), concurrency (runs at once, each its own process) and threads-per-run. Runs go to \
            OUTPUT/AXIS=LABEL/…; a rerun reads finished runs back and continues unfinished ones; failed runs are \
            recorded in OUTPUT/sweep-state.json and retried with --retry-failed. --emit slurm writes the runs \
            still to train as a Slurm job array instead (one task per run, requeued near its time limit; see \
            docs/slurm.md); --submit submits it; `sweep collect` reads the tasks' results.
            """,
        subcommands: [Run.self, Collect.self],
        defaultSubcommand: Run.self)

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Train the sweep's runs (the default).")

        @Argument(help: "The sweep file.")
        var file: String

        @Flag(help: "Run even when the grid expands to more runs than max-runs.")
        var yes = false

        @Flag(help: "Rerun only the runs that failed before.")
        var retryFailed = false

        @Flag(help: "Print only the results.")
        var quiet = false

        @OptionGroup(title: "Slurm")
        var slurm: SlurmEmitOptions

        func run() throws {
            let plan = try SweepPlan(contentsOf: URL(fileURLWithPath: file))
            try plan.checkSize(confirmed: yes)
            if slurm.emit != nil { return try emitSlurm(plan) }
            let executable = WeightStore.runningExecutable().flatMap { $0.lastPathComponent == "scalpel" ? $0 : nil }
            let state = try SweepExecutor(plan: plan, retryFailed: retryFailed, executable: executable,
                                          note: { if !quiet { FileHandleOutput.standardError($0 + "\n") } }).run()
            let summary = try SweepSummary(plan: plan)
            try summary.write(to: plan.output, title: "Sweep \(file)")
            print(summary.markdown(title: "Sweep \(file)"))
            let failed = state.entries.filter { $0.status == .failed }
            guard failed.isEmpty else {
                throw CommandError("\(failed.count) run(s) failed (\(failed.prefix(3).map { "\($0.name): \($0.error ?? "")" }.joined(separator: "; "))); see \(SweepState.url(in: plan.output).path), fix and rerun with --retry-failed")
            }
        }

        /// `--emit slurm`: checks every run, writes the job array (and submits it with `--submit`).
        func emitSlurm(_ plan: SweepPlan) throws {
            let options = try slurm.options(over: plan.slurm)
            if slurm.submit, SlurmJobArray.tool("sbatch") == nil {
                throw CommandError("--submit: sbatch was not found on PATH; \(SlurmJobArray.packageHint). Without --submit the script is written for you to copy to the cluster")
            }
            let executable = WeightStore.runningExecutable()?.path ?? "scalpel"
            let array = SlurmJobArray(plan: plan, options: options, folder: slurm.folder.map { URL(fileURLWithPath: $0) },
                                      executable: executable, retryFailed: retryFailed,
                                      note: { if !quiet { FileHandleOutput.standardError($0 + "\n") } })
            guard let emission = try array.write() else {
                print("Nothing to submit: every run of \(file) has finished\(retryFailed ? "" : " or failed before (--retry-failed emits those)").")
                return
            }
            print("Written: \(emission.script.path) (array \(emission.array): \(emission.tasks.count) of \(plan.points.count) run(s))")
            if slurm.submit {
                let job = try SlurmJobArray.submit(emission.script)
                print("Submitted: job array \(job); watch it with squeue -j \(job)")
            } else {
                print("Submit it with: sbatch \(emission.script.path)")
            }
            print("When it is done: scalpel sweep collect \(file)")
        }
    }

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "collect", abstract: "Merge the sweep's results into sweep.{md,csv,json}.")

        @Argument(help: "The sweep file.")
        var file: String

        func run() throws {
            let plan = try SweepPlan(contentsOf: URL(fileURLWithPath: file))
            try SlurmJobArray.recordOutcomes(of: plan)
            let summary = try SweepSummary(plan: plan)
            try summary.write(to: plan.output, title: "Sweep \(file)")
            print(summary.markdown(title: "Sweep \(file)"))
            print("Written: \(plan.output.path)/sweep.{md,csv,json}")
        }
    }
}
