// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// The report page of a run while it trains (`scalpel train --report-every N`): rewritten after every
/// N optimizer steps and every epoch, with the terminal's progress line (epoch, batch, loss, img/s and
/// the same ETA) and the curves so far; the page reloads itself every few seconds until the run ends.
public final class LiveReport {
    public let folder: URL
    public let output: URL
    public let everySteps: Int
    /// Seconds between the browser's reloads.
    public let refreshSeconds: Int
    private(set) var progress: String = "starting"
    private var steps = 0
    private var finished = false
    /// The first failure to write the page (later ones are not repeated); training goes on.
    public private(set) var failure: String?

    public init(folder: URL, output: URL? = nil, everySteps: Int, refreshSeconds: Int = 5) {
        self.folder = folder.standardizedFileURL
        self.output = output ?? folder.appendingPathComponent("report.html")
        self.everySteps = max(everySteps, 1)
        self.refreshSeconds = refreshSeconds
    }

    /// Follows the trainer's events; returns the error message when writing the page failed the first time.
    @discardableResult
    public func record(_ event: TrainingEvent) -> String? {
        switch event {
        case .batchFinished(let epoch, let total, let batch, let batches, let loss, let rate, let eta):
            progress = Self.progressLine(epoch: epoch, totalEpochs: total, batch: batch, batches: batches, loss: loss,
                                         imagesPerSecond: rate, eta: eta)
            steps += 1
            return steps % everySteps == 0 ? write() : nil
        case .epochFinished(let record, _):
            progress = "epoch \(record.epoch) finished"
            return write()
        case .phaseStarted(let name, let index, let count, _, _):
            progress = "phase \(index + 1)/\(count) '\(name)' starting"
            return write()
        case .testing(let checkpoint):
            progress = "testing the \(checkpoint)"
            return write()
        case .resumed(let completed):
            progress = "resuming after epoch \(completed)"
            return nil
        case .phaseEnded, .imagesSkipped:
            return nil
        }
    }

    /// The last page, without progress or reloading, once the run has finished.
    @discardableResult
    public func finish() -> String? {
        finished = true
        return write()
    }

    /// The terminal's progress line (ProgressReporter draws the same text with a bar).
    public static func progressLine(epoch: Int, totalEpochs: Int, batch: Int, batches: Int, loss: Double,
                                    imagesPerSecond: Double, eta: Double) -> String {
        String(format: "epoch %d/%d, batch %d/%d, loss %.4f, %.0f img/s, ETA ", epoch, totalEpochs, batch, batches, loss,
               imagesPerSecond) + clock(eta)
    }

    /// Seconds as m:ss or h:mm:ss ("--:--" when unknown).
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// The page as it would be written now.
    func page() -> ReportPage {
        var parts: [String] = []
        if !finished {
            let stamp = ISO8601DateFormatter().string(from: Date())
            parts.append(#"<section id="progress" data-section="progress"><h2>Training in progress</h2><p class="progress" data-progress>\#(HTML.escape(progress))</p><p>As of \#(stamp); this page reloads every \#(refreshSeconds) s (ETA: time left in the current epoch, as in the terminal).</p></section>"#)
        }
        if let run = try? RunRecord(folder: folder) {
            parts.append(RunSections(run, idPrefix: "").html())
        }
        return ReportPage(title: "Scalpel run: \(folder.lastPathComponent)", parts: parts, refreshSeconds: finished ? nil : refreshSeconds)
    }

    private func write() -> String? {
        do {
            try page().write(to: output)
            return nil
        } catch {
            guard failure == nil else { return nil }
            failure = "the live report \(output.path) could not be written: \(error); training goes on"
            return failure
        }
    }
}
