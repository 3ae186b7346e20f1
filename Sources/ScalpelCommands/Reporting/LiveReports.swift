// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelReport
import ScalpelTraining

/// `--report-every`: one live page per seed folder, in the order SeedRuns trains them (seeds whose run
/// is already finished and only read back are skipped, as SeedRuns skips them). A run starts with a
/// `resumed` event, or with its first phase when it is not resumed.
final class LiveReports {
    private var pending: [URL]
    private var current: LiveReport?
    private var lastWasResumed = false
    let everySteps: Int

    init(everySteps: Int, folders: [URL], resume: Bool, force: Bool) {
        self.everySteps = everySteps
        pending = folders.filter { !(resume && !force && RunFolder($0).isFinished) }
    }

    /// Follows one event; returns a message when a page could not be written.
    func record(_ event: TrainingEvent) -> String? {
        var message: String?
        let startsRun: Bool
        switch event {
        case .resumed: startsRun = true
        case .phaseStarted(_, let index, _, _, _): startsRun = index == 0 && !lastWasResumed
        default: startsRun = false
        }
        if case .resumed = event { lastWasResumed = true } else { lastWasResumed = false }
        if startsRun, !pending.isEmpty {
            message = current?.finish()
            current = LiveReport(folder: pending.removeFirst(), everySteps: everySteps)
        }
        return current?.record(event) ?? message
    }

    /// Writes the last run's finished page.
    func finish() -> String? {
        defer { current = nil }
        return current?.finish()
    }

    /// Runs `train` (SeedRuns over `seeds` into `folder`) with a live page in each seed folder it trains
    /// when `everySteps` is set (`--report-every`), then writes the last page and stops following.
    static func following<Result>(_ reporter: ProgressReporter, everySteps: Int?, seeds: [UInt64], folder: URL,
                                  resume: Bool, force: Bool, _ train: () throws -> Result) throws -> Result {
        reporter.live = everySteps.map {
            LiveReports(everySteps: $0, folders: seeds.map { SeedRuns.folder(for: $0, of: seeds, in: folder) }, resume: resume, force: force)
        }
        defer { reporter.live = nil }
        let result = try train()
        if let failure = reporter.live?.finish() { reporter.note("warning: \(failure)") }
        return result
    }
}
