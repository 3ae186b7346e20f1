// Scalpel — ScalpelExperimentsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import ScalpelTraining
import Testing

/// `--resume` of a finished run reads it back only when the options are the run's own: changed options
/// are an error naming each changed field, never the old results returned silently.
@Suite struct ResumeFinishedRunTests {
    /// A finished run folder (config.yaml and metrics.json; no training needed) of `specification`.
    static func finishedRun(_ specification: RunSpecification) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-finished-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try specification.write(to: RunFolder(folder).configURL)
        let metrics = """
            {"status": "finished", "monitor": "auroc", "best": {"epoch": 1, "phase": "full", "metric": "auroc", "value": 0.8},
             "history": [], "phases": [], "skippedImages": [], "trainingSeconds": 1}
            """
        try metrics.write(to: RunFolder(folder).metricsURL, atomically: true, encoding: .utf8)
        return folder
    }

    @Test func changedOptionsAreNamedAndTheSameOnesReadTheRunBack() throws {
        var saved = RunSpecification(data: DataSpecification(source: "synthetic:48"))
        saved.training.lr = 0.001
        saved.training.epochs = 3
        let folder = try Self.finishedRun(saved)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try RunData(saved.data)

        var changed = saved
        changed.training.lr = 0.01
        changed.training.epochs = 5
        let error = #expect(throws: ExperimentError.self) {
            _ = try SeedRuns.run(changed, seeds: [saved.runtime.seed], folder: folder, data: data, resume: true, force: false)
        }
        let message = error?.description ?? ""
        #expect(message.contains("lr: 0.001 → 0.01"))
        #expect(message.contains("epochs: 3 → 5"))
        #expect(message.contains(folder.lastPathComponent) && message.contains("--force"))

        // The run's own options read it back without training (metrics.json untouched).
        let runs = try SeedRuns.run(saved, seeds: [saved.runtime.seed], folder: folder, data: data, resume: true, force: false)
        #expect(runs.first?.results.status == .finished)
        try RunExecution.checkFinishedRun(saved, in: folder)
    }
}
