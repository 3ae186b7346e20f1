// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining

/// `--concurrency` and `--retry-failed` of the commands that run a sweep of their own making
/// (`compare`'s strategies × seeds, `search`'s candidates).
struct SweepOptions: ParsableArguments {
    @Option(help: "Runs trained at once, each its own `scalpel train` process (1: one after the other in this process).")
    var concurrency: Int = 1

    @Flag(help: "With --resume: rerun only the runs that failed before (sweep-state.json), reading the others back.")
    var retryFailed = false

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 256, got \(concurrency).") }
    }
}

/// Runs a command's runs through the sweep machinery: a failed run is recorded in
/// `OUTPUT/sweep-state.json` and the others go on; `--resume` reads finished runs back; `--retry-failed`
/// reruns the failed ones; `--concurrency` trains several at once. A run trained in this process is
/// followed live (`--report-every`) and recorded in the run index. The caller holds a ``FolderLock`` on
/// the plan's output folder.
enum CommandSweep {
    /// Trains the points of `plan` that need it; `what` names the command's work in messages ("comparison").
    ///
    /// - Throws: ``CommandError`` before anything trains when a run folder exists without `--resume` or `--force`.
    static func run(_ plan: SweepPlan, data: (specification: DataSpecification, data: RunData), output: OutputOptions,
                    sweep: SweepOptions, reporter: ProgressReporter, what: String) throws -> SweepState {
        if !output.resume, !output.force {
            for point in plan.points where FileManager.default.fileExists(atPath: point.folder.path) {
                throw CommandError("\(point.folder.path) exists; --resume continues the \(what), --force starts it over")
            }
        }
        let index = recordingIndex(note: reporter.note)
        var executor = SweepExecutor(plan: plan, retryFailed: sweep.retryFailed,
                                     executable: WeightStore.runningExecutable().flatMap { $0.lastPathComponent == "scalpel" ? $0 : nil },
                                     note: reporter.note)
        executor.reusesFinished = output.resume && !output.force
        executor.locksOutput = false   // the command holds the folder's lock until its table is written
        executor.preparedData = [data]
        executor.trainInProcess = { point, runData in
            try LiveReports.following(reporter, everySteps: output.reportEvery, seeds: [point.specification.runtime.seed], folder: point.folder,
                                      resume: output.resume, force: output.force) {
                _ = try RunExecution(point.specification, resume: output.resume, force: output.force)
                    .run(data: runData, folder: point.folder, note: reporter.note, observer: { reporter($0) })
            }
            if let index {
                do { try index.record(point.folder) } catch { reporter.note("warning: not recorded in the run index: \(error)") }
            }
        }
        return try executor.run()
    }

    /// The error that ends a command whose sweep had failed runs (after it wrote what finished), or nil.
    static func failure(_ state: SweepState, output: URL, written: String) -> CommandError? {
        let failed = state.entries.filter { $0.status == .failed }
        guard !failed.isEmpty else { return nil }
        return CommandError("\(failed.count) run(s) failed (\(failed.prefix(3).map { "\($0.name): \($0.error ?? "")" }.joined(separator: "; "))); \(written) has the others; see \(SweepState.url(in: output).path), fix and rerun with --resume --retry-failed")
    }
}
