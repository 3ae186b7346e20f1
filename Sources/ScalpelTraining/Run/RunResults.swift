// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData

/// The content of `metrics.json`: written with status `running` after every epoch (the history so
/// far) and with status `finished` and the test metrics at the end.
public struct RunResults: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case running, finished
    }

    public var status: Status
    public var monitor: MonitoredMetric
    public var best: BestEpoch?
    /// Which weights the test metrics come from ("best epoch 7", or "final weights").
    public var testCheckpoint: String?
    public var test: MetricReport?
    public var testLoss: Double?
    public var history: [EpochRecord]
    /// Why each phase ended.
    public var phases: [String]
    /// Every image left out, with the reason.
    public var skippedImages: [String]
    /// Seconds spent in training steps and computing cached frozen features (validation and test excluded).
    public var trainingSeconds: Double

    init(state: TrainerState, test: MetricReport?, testLoss: Double?, testSkipped: [String], checkpoint: String?,
         monitor: MonitoredMetric) {
        status = test == nil ? .running : .finished
        self.monitor = monitor
        best = state.best
        testCheckpoint = checkpoint
        self.test = test
        self.testLoss = testLoss
        history = state.history
        phases = state.phaseEndings
        skippedImages = state.skipped + testSkipped.map { "test: \($0)" }
        trainingSeconds = state.trainingSeconds
    }

    /// Reads a run's `metrics.json`.
    public init(contentsOf url: URL) throws {
        do {
            self = try JSONDecoder().decode(RunResults.self, from: Data(contentsOf: url))
        } catch {
            throw TrainingError.runFolder("cannot read \(url.path): \(error)")
        }
    }

    func write(to folder: RunFolder) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try RunFolder.writeAtomically(try encoder.encode(self), to: folder.metricsURL)
    }
}

extension Predictions {
    /// `sample_id,label,p_<class>…`: one row per sample; the label is the class name, or the positive
    /// class names joined by `|` for multi-label tasks. Fields are quoted where CSV needs it.
    /// Probabilities are written with the shortest digits that read back as the same `Double`, so
    /// metrics recomputed from the file equal those of `metrics.json` exactly.
    public func csv() -> String {
        let field = CSVWriter.field
        var lines = [(["sample_id", "label"] + classNames.map { "p_\($0)" }).map(field).joined(separator: ",")]
        for index in 0..<count {
            let label: String
            if task == .multiLabel {
                label = labels[index].enumerated().filter { $0.element == 1 }.map { classNames[$0.offset] }.joined(separator: "|")
            } else {
                let value = labels[index].first ?? -1
                label = classNames.indices.contains(value) ? classNames[value] : String(value)
            }
            let values = probabilities[index].map { String($0) }
            lines.append(([field(sampleIDs[index]), field(label)] + values).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
