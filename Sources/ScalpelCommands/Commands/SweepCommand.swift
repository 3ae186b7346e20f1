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
            recorded in OUTPUT/sweep-state.json and retried with --retry-failed.
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

        func run() throws {
            let plan = try SweepPlan(contentsOf: URL(fileURLWithPath: file))
            try plan.checkSize(confirmed: yes)
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
    }

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "collect", abstract: "Merge the sweep's results into sweep.{md,csv,json}.")

        @Argument(help: "The sweep file.")
        var file: String

        func run() throws {
            let plan = try SweepPlan(contentsOf: URL(fileURLWithPath: file))
            let summary = try SweepSummary(plan: plan)
            try summary.write(to: plan.output, title: "Sweep \(file)")
            print(summary.markdown(title: "Sweep \(file)"))
            print("Written: \(plan.output.path)/sweep.{md,csv,json}")
        }
    }
}
