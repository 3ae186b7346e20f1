// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// Runs a sweep: checks every run's inputs first, then trains the runs that are not finished — one at
/// a time in this process, or up to `concurrency` at once, each a `scalpel train` process with the
/// stated threads. A failed run is recorded in `sweep-state.json` and the others go on; a rerun
/// reads finished runs back, continues unfinished ones, and retries failed ones only with `retryFailed`.
public struct SweepExecutor {
    public var plan: SweepPlan
    /// Rerun only the runs that failed before.
    public var retryFailed: Bool
    /// The `scalpel` executable that trains each run when `plan.concurrency` > 1.
    public var executable: URL?
    public var note: (String) -> Void
    /// Whether a finished run folder is read back (the default) or trained again (`--force`).
    public var reusesFinished = true
    /// Trains one point in this process (default: ``RunExecution`` resuming into the point's folder);
    /// a command sets it to follow the run live or to record it.
    public var trainInProcess: ((SweepPlan.Point, RunData) throws -> Void)?
    /// Whether ``run()`` holds the output folder's lock (off when the caller holds it, as `compare` does).
    public var locksOutput = true
    /// Data the caller has already read, used instead of reading it again.
    public var preparedData: [(specification: DataSpecification, data: RunData)] = []

    public init(plan: SweepPlan, retryFailed: Bool = false, executable: URL? = nil, note: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.retryFailed = retryFailed
        self.executable = executable
        self.note = note
    }

    /// Checks, then trains; returns the state of every run.
    @discardableResult
    public func run() throws -> SweepState {
        let lock = locksOutput ? try FolderLock(plan.output, purpose: "the sweep's output folder") : nil
        defer { lock?.release() }
        let data = try checkInputs()
        let (todo, checkedState) = try runsToTrain()
        var state = checkedState
        note("sweep: \(plan.points.count) run(s), \(todo.count) to train, \(plan.concurrency) at a time")
        if plan.concurrency > 1, let executable {
            try runProcesses(todo, executable: executable, state: &state)
        } else {
            for (_, point) in todo {
                try start(point, state: &state)
                do {
                    let runData = data.first { $0.specification == point.specification.data }!.data
                    if let trainInProcess {
                        try trainInProcess(point, runData)
                    } else {
                        _ = try RunExecution(point.specification, resume: true).run(data: runData, folder: point.folder, note: note)
                    }
                    try finish(point, error: nil, state: &state)
                } catch let error as TrainingError where error.interruptionSignal != nil {
                    throw error   // SIGINT/SIGTERM: the run stays 'running' in the state and continues on the next start
                } catch {
                    try finish(point, error: "\(error)", state: &state)
                }
            }
        }
        return state
    }

    /// Checks every input of every run before the first trains (data, strategies, weights); returns
    /// each distinct data source, loaded (``preparedData`` is used as it is).
    public func checkInputs() throws -> [(specification: DataSpecification, data: RunData)] {
        var data = preparedData
        for point in plan.points where !data.contains(where: { $0.specification == point.specification.data }) {
            do {
                data.append((point.specification.data, try RunData(point.specification.data, warn: note)))
            } catch {
                throw ExperimentError("\(point.name): \(error)")
            }
        }
        for (specification, runData) in data {
            try RunPreflight.check(plan.points.filter { $0.specification.data == specification }.map { ($0.name, $0.specification) },
                                   data: runData)
        }
        return data
    }

    /// The runs still to train, by their index in the plan: not finished, and failed before only with
    /// `retryFailed` (then only those). Records every run in `sweep-state.json` and returns that state.
    public func runsToTrain() throws -> (todo: [(index: Int, point: SweepPlan.Point)], state: SweepState) {
        var state = try SweepState.read(in: plan.output)
        var todo: [(index: Int, point: SweepPlan.Point)] = []
        for (index, point) in plan.points.enumerated() {
            let previous = state.entry(folder: point.folder.path)
            var entry = previous ?? SweepState.Entry(name: point.name, folder: point.folder.path, status: .pending, error: nil, attempts: 0)
            if reusesFinished, RunFolder(point.folder).isFinished {
                do { try RunExecution.checkFinishedRun(point.specification, in: point.folder) } catch let error as ExperimentError {
                    throw ExperimentError("\(point.name): \(error.description) (or restore the sweep file it was made with)")
                }
                entry.status = .finished
                entry.error = nil
            } else if reusesFinished, previous?.status == .failed, !retryFailed {
                note("\(point.name): failed before (\(previous?.error ?? "")); --retry-failed runs it again")
            } else if reusesFinished, retryFailed, previous?.status != .failed {
                // --retry-failed reruns only the failed runs.
            } else {
                todo.append((index, point))
            }
            state.update(entry)
        }
        try state.write(in: plan.output)
        return (todo, state)
    }

    private func start(_ point: SweepPlan.Point, state: inout SweepState) throws {
        var entry = state.entry(folder: point.folder.path)!
        entry.status = .running
        entry.attempts += 1
        state.update(entry)
        try state.write(in: plan.output)
        note("\(point.name) → \(point.folder.path)")
    }

    private func finish(_ point: SweepPlan.Point, error: String?, state: inout SweepState) throws {
        var entry = state.entry(folder: point.folder.path)!
        let finished = error == nil && RunFolder(point.folder).isFinished
        entry.status = finished ? .finished : .failed
        entry.error = finished ? nil : (error ?? "the run ended without finishing")
        state.update(entry)
        try state.write(in: plan.output)
        if let failure = entry.error { note("\(point.name): failed: \(failure)") }
    }

    /// Up to `plan.concurrency` `scalpel train` processes at once.
    private func runProcesses(_ todo: [(index: Int, point: SweepPlan.Point)], executable: URL, state: inout SweepState) throws {
        let work = plan.output.appendingPathComponent(".sweep")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var waiting = todo[...]
        var running: [(process: Process, point: SweepPlan.Point, log: URL)] = []
        // Ctrl-C or SIGTERM to the sweep goes on to its runs (each in its own process group), which stop at
        // their next batch; none starts after it, and the stopped ones stay 'running' for the next start.
        var forwarded: Int32?
        try Interruption.catching {
        while !waiting.isEmpty || !running.isEmpty {
            forwarded = Interruption.forward(to: running.map(\.process), unless: forwarded)
            if forwarded != nil { waiting.removeAll() }
            while forwarded == nil, running.count < plan.concurrency, let (index, point) = waiting.popFirst() {
                let spec = work.appendingPathComponent("run-\(index).yaml"), log = work.appendingPathComponent("run-\(index).log")
                try point.specification.write(to: spec, header: "Run \(point.name) of the sweep in \(plan.output.path)")
                FileManager.default.createFile(atPath: log.path, contents: nil)
                let process = Process()
                process.executableURL = executable
                process.arguments = ["train", "--config", spec.path, "--output", point.folder.path,
                                     reusesFinished ? "--resume" : "--force", "--quiet"]
                let handle = try FileHandle(forWritingTo: log)
                process.standardOutput = handle
                process.standardError = handle
                try start(point, state: &state)
                do { try process.run() } catch {
                    try finish(point, error: "cannot start \(executable.path): \(error.localizedDescription)", state: &state)
                    continue
                }
                running.append((process, point, log))
            }
            Thread.sleep(forTimeInterval: 0.1)
            for (offset, entry) in running.enumerated().reversed() where !entry.process.isRunning {
                running.remove(at: offset)
                let status = entry.process.terminationStatus
                // Stopped by the forwarded signal (at a batch, or outside training by its default action).
                if let signal = forwarded, status == Interruption.exitStatus(for: signal)
                    || (entry.process.terminationReason == .uncaughtSignal && status == signal) { continue }
                let tail = ((try? String(contentsOf: entry.log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " | ")
                try finish(entry.point, error: status == 0 ? nil : "exit status \(status): \(tail) (log: \(entry.log.path))", state: &state)
            }
        }
        }
        if let signal = forwarded {
            throw TrainingError.interrupted("interrupted by \(Interruption.name(of: signal)): the running runs stopped at their last complete epoch and no other started; run the sweep again to continue", signal: signal)
        }
    }
}
