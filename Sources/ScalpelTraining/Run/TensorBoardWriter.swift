// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a run's scalars as TensorBoard event files in `RUN/tensorboard/` (`tensorboard --logdir RUN`).
///
/// Each writer opens a new file `events.out.tfevents.<seconds>.<host>.<pid>.<n>` whose first event is
/// `file_version "brain.Event:2"`, then appends one record per call. Event files are append-only logs
/// read while they grow; a torn last record (a crash mid-write) is ignored by readers, and a resumed
/// run starts its file with `SessionLog{START}` at the first step it repeats, which drops the older
/// events from that step on.
public final class TensorBoardWriter {
    public let fileURL: URL
    private let handle: FileHandle

    /// Opens a new event file in `directory` (created if needed).
    public init(directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.runFolder("cannot create the TensorBoard folder \(directory.path): \(error.localizedDescription)")
        }
        let seconds = Int(Date().timeIntervalSince1970)
        let hostName = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        let host = hostName.isEmpty ? "localhost" : hostName
        var number = 0
        var url: URL
        repeat {
            url = directory.appendingPathComponent(
                "events.out.tfevents.\(String(format: "%010d", seconds)).\(host).\(getpid()).\(number)")
            number += 1
        } while FileManager.default.fileExists(atPath: url.path)
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: url) else {
            throw TrainingError.runFolder("cannot create \(url.path) (is the run folder writable and the disk not full?)")
        }
        fileURL = url
        self.handle = handle
        try append(TensorBoardRecord.fileVersionEvent(wallTime: Date().timeIntervalSince1970))
    }

    deinit { try? handle.close() }

    /// Whether `directory` already holds event files (a run that is resumed or restarted).
    public static func holdsEvents(_ directory: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.contains { $0.hasPrefix("events.out.tfevents.") }
    }

    /// Scalars at `step`, in one event.
    public func write(_ scalars: [(tag: String, value: Double)], step: Int) throws {
        guard !scalars.isEmpty else { return }
        try append(TensorBoardRecord.scalarsEvent(scalars, step: Int64(step), wallTime: Date().timeIntervalSince1970))
    }

    /// The restart marker: readers drop earlier events with a step ≥ `step`.
    public func writeSessionStart(step: Int) throws {
        try append(TensorBoardRecord.sessionStartEvent(step: Int64(step), wallTime: Date().timeIntervalSince1970))
    }

    private func append(_ event: [UInt8]) throws {
        do {
            try handle.write(contentsOf: Data(TensorBoardRecord.frame(event)))
        } catch {
            throw TrainingError.runFolder("cannot append to \(fileURL.path): \(RunFolder.systemReason(error)); free some disk space and continue with --resume")
        }
    }
}

extension TensorBoardWriter {
    /// The tags an epoch writes: `loss/training`, `loss/validation`, `validation/<metric>` (defined
    /// values only), `learning_rate/<phase>/group<i>` (groups differ between phases), `seconds/epoch`
    /// and `images_per_second`.
    public static func scalars(of record: EpochRecord) -> [(tag: String, value: Double)] {
        var scalars: [(tag: String, value: Double)] = [("loss/training", record.trainingLoss)]
        if let loss = record.validationLoss { scalars.append(("loss/validation", loss)) }
        for (name, value) in record.validation.sorted(by: { $0.key < $1.key }) {
            if let value { scalars.append(("validation/\(name)", value)) }
        }
        for (group, rate) in record.learningRates.enumerated() {
            scalars.append(("learning_rate/\(record.phase)/group\(group)", rate))
        }
        scalars.append(("seconds/epoch", record.seconds))
        scalars.append(("images_per_second", record.imagesPerSecond))
        return scalars
    }

    /// The test metrics' values (`test/<metric>`, `test/loss`), written at the last epoch's step.
    public static func scalars(ofTest report: MetricReport, loss: Double?) -> [(tag: String, value: Double)] {
        var scalars: [(tag: String, value: Double)] = []
        if let loss { scalars.append(("test/loss", loss)) }
        for (name, metric) in report.metrics.sorted(by: { $0.key < $1.key }) {
            if let value = metric.value { scalars.append(("test/\(name)", value)) }
        }
        return scalars
    }
}
