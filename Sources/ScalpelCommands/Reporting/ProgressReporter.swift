// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelReport
import ScalpelTraining
#if canImport(Glibc)
import Glibc
#endif

/// Shows a run's progress: a redrawn bar on a terminal (epoch, batch, loss, img/s, ETA), one line per
/// epoch otherwise, nothing with `--quiet`, one JSON object per event on standard output with
/// `--json-lines`.
final class ProgressReporter {
    enum Style { case bar, lines, quiet, jsonLines }

    let style: Style
    private var lastDraw = Date.distantPast
    private var lastValidation = ""
    /// The runs' live HTML pages (`--report-every`), fed the same events.
    var live: LiveReports?

    init(quiet: Bool, jsonLines: Bool) {
        style = jsonLines ? .jsonLines : quiet ? .quiet : (isatty(STDERR_FILENO) != 0 ? .bar : .lines)
    }

    /// A message for people (not shown with --quiet; a `message` event with --json-lines).
    func note(_ text: String) {
        switch style {
        case .quiet: break
        case .jsonLines: emit(["event": "message", "text": text])
        case .bar, .lines: FileHandleOutput.standardError(text + "\n")
        }
    }

    func callAsFunction(_ event: TrainingEvent) {
        if let failure = live?.record(event) { note("warning: \(failure)") }
        switch (style, event) {
        case (.quiet, _): break
        case (.jsonLines, _): emit(Self.json(event))
        case (_, .batchFinished(let epoch, let total, let batch, let batches, let loss, let rate, let eta)):
            guard style == .bar, Date().timeIntervalSince(lastDraw) > 0.2 || batch == batches else { return }
            lastDraw = Date()
            let width = 20, filled = batches > 0 ? width * batch / batches : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandleOutput.standardError(String(format: "\r\u{1B}[Kepoch %d/%d [%@] %d/%d loss %.4f %@%.0f img/s ETA %@",
                                                  epoch, total, bar, batch, batches, loss, lastValidation, rate, Self.clock(eta)))
        case (_, .epochFinished(let record, let isBest)):
            lastValidation = record.validation["auroc"].flatMap { $0 }.map { String(format: "val auroc %.4f ", $0) } ?? ""
            let line = Self.describe(record) + (isBest ? "  *best" : "")
            FileHandleOutput.standardError((style == .bar ? "\r\u{1B}[K" : "") + line + "\n")
        case (_, .phaseStarted(let name, let index, let count, let epochs, let trainable)):
            FileHandleOutput.standardError("phase \(index + 1)/\(count) '\(name)': up to \(epochs) epoch(s), \(trainable) trainable parameters\n")
        case (_, .phaseEnded(let name, let reason)):
            FileHandleOutput.standardError("phase '\(name)' ended: \(reason)\n")
        case (_, .resumed(let completed)):
            FileHandleOutput.standardError("resuming after epoch \(completed)\n")
        case (_, .imagesSkipped(let names)):
            FileHandleOutput.standardError((style == .bar ? "\r\u{1B}[K" : "") + names.map { "skipped \($0)" }.joined(separator: "\n") + "\n")
        case (_, .testing(let checkpoint)):
            FileHandleOutput.standardError("testing the \(checkpoint)\n")
        }
    }

    static func describe(_ record: EpochRecord) -> String {
        var parts = [String(format: "epoch %3d  train loss %.4f", record.epoch, record.trainingLoss)]
        if let loss = record.validationLoss { parts.append(String(format: "val loss %.4f", loss)) }
        for name in ["auroc", "auprc", "accuracy"] {
            if let value = record.validation[name].flatMap({ $0 }) { parts.append(String(format: "val %@ %.4f", name, value)) }
        }
        parts.append(String(format: "lr %.2e", record.learningRates.first ?? 0))
        parts.append(String(format: "%.0f img/s  %.0f s", record.imagesPerSecond, record.seconds))
        return parts.joined(separator: "  ")
    }

    /// The ETA as the live page shows it too.
    static func clock(_ seconds: Double) -> String { LiveReport.clock(seconds) }

    static func json(_ event: TrainingEvent) -> [String: Any] {
        switch event {
        case .resumed(let completed): return ["event": "resumed", "completed_epochs": completed]
        case .phaseStarted(let name, let index, let count, let epochs, let trainable):
            return ["event": "phase_started", "phase": name, "index": index, "phases": count, "epochs": epochs,
                    "trainable_parameters": trainable]
        case .batchFinished(let epoch, let total, let batch, let batches, let loss, let rate, let eta):
            return ["event": "batch", "epoch": epoch, "epochs": total, "batch": batch, "batches": batches, "loss": loss,
                    "images_per_second": rate, "eta_seconds": eta]
        case .epochFinished(let record, let isBest):
            var object: [String: Any] = ["event": "epoch", "epoch": record.epoch, "phase": record.phase,
                                         "train_loss": record.trainingLoss, "learning_rates": record.learningRates,
                                         "seconds": record.seconds, "images_per_second": record.imagesPerSecond, "best": isBest]
            if let loss = record.validationLoss { object["val_loss"] = loss }
            for (name, value) in record.validation { if let value { object["val_" + name] = value } }
            return object
        case .imagesSkipped(let names): return ["event": "skipped", "images": names]
        case .phaseEnded(let name, let reason): return ["event": "phase_ended", "phase": name, "reason": reason]
        case .testing(let checkpoint): return ["event": "testing", "checkpoint": checkpoint]
        }
    }

    func emit(_ object: [String: Any]) {
        let sanitized = object.mapValues { value -> Any in
            if let number = value as? Double, !number.isFinite { return String(number) }
            return value
        }
        guard let data = try? JSONSerialization.data(withJSONObject: sanitized, options: [.sortedKeys]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
