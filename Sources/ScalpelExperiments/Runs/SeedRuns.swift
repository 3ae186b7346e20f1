// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining
import Torch

/// One seed of a specification, trained or read back.
public struct SeedRun: Sendable {
    public var seed: UInt64
    public var folder: URL
    public var results: RunResults

    public init(seed: UInt64, folder: URL, results: RunResults) {
        self.seed = seed
        self.folder = folder
        self.results = results
    }
}

/// A specification repeated with several seeds, and the mean ± std of their test metrics.
public enum SeedRuns {
    /// The test metrics summarised over seeds (in `summary.json` and result tables).
    public static let summaryMetrics = ["auroc", "auprc", "accuracy", "balanced-accuracy"]

    /// The folder of `seed` among `seeds` under `folder`: the folder itself for one seed, else `folder/seed-N`.
    public static func folder(for seed: UInt64, of seeds: [UInt64], in folder: URL) -> URL {
        seeds.count > 1 ? folder.appendingPathComponent("seed-\(seed)") : folder
    }

    /// Trains `specification` once per seed (its `runtime.seed` replaced); with `resume`, a seed whose
    /// folder holds a finished run is read back instead. With several seeds, writes `summary.json`.
    /// Each run is recorded in `index` when one is given (a failure to record is a warning).
    public static func run(_ specification: RunSpecification, seeds: [UInt64], folder: URL, data: RunData,
                           resume: Bool, force: Bool, index: RunIndex? = nil, note: (String) -> Void = { _ in },
                           observer: @escaping (TrainingEvent) -> Void = { _ in },
                           exchange: (any GradientExchange)? = nil) throws -> [SeedRun] {
        // Several seeds share the folder's summary.json: one writer (each seed's run folder is locked too).
        let lock = seeds.count > 1 && (exchange?.rank ?? 0) == 0 ? try FolderLock(folder, purpose: "the seeds' folder") : nil
        defer { lock?.release() }
        var runs: [SeedRun] = []
        for seed in seeds {
            let runFolder = Self.folder(for: seed, of: seeds, in: folder)
            if seeds.count > 1 { note("seed \(seed) → \(runFolder.path)") }
            var seeded = specification
            seeded.runtime.seed = seed
            if resume, !force, RunFolder(runFolder).isFinished {
                try RunExecution.checkFinishedRun(seeded, in: runFolder)
                note("seed \(seed): already finished, read from \(runFolder.path)")
            } else {
                var execution = RunExecution(seeded, resume: resume, force: force)
                execution.exchange = exchange
                _ = try execution.run(data: data, folder: runFolder, note: note, observer: observer)
            }
            runs.append(SeedRun(seed: seed, folder: runFolder, results: try RunResults(contentsOf: RunFolder(runFolder).metricsURL)))
            if let index, (exchange?.rank ?? 0) == 0 {
                do { try index.record(runFolder) } catch { note("warning: not recorded in the run index: \(error)") }
            }
        }
        if seeds.count > 1, (exchange?.rank ?? 0) == 0 {
            try RunFolder.writeAtomically(try summaryJSON(runs), to: folder.appendingPathComponent("summary.json"))
        }
        return runs
    }

    /// Mean and sample standard deviation (n − 1; 0 for a single value); nil for no values.
    public static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double)? {
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }

    /// `metric` over the runs' test results: mean ± std of the defined values.
    public static func summary(_ runs: [RunResults], metric: String) -> (mean: Double, std: Double)? {
        meanAndStd(runs.compactMap { $0.test?.metrics[metric]?.value })
    }

    /// `{"runs": [{"seed", "folder", "best_epoch", "test"}], "mean": {metric: value}, "std": {metric: value}}`.
    public static func summaryJSON(_ runs: [SeedRun]) throws -> Data {
        var means: [String: Double] = [:], deviations: [String: Double] = [:]
        for key in summaryMetrics {
            if let summary = summary(runs.map(\.results), metric: key) {
                means[key] = summary.mean
                deviations[key] = summary.std
            }
        }
        let entries: [[String: Any]] = runs.map { run in
            var metrics: [String: Double] = [:]
            for (key, metric) in run.results.test?.metrics ?? [:] { if let value = metric.value { metrics[key] = value } }
            return ["seed": run.seed, "folder": run.folder.path, "best_epoch": run.results.best?.epoch ?? -1, "test": metrics]
        }
        return try JSONSerialization.data(withJSONObject: ["runs": entries, "mean": means, "std": deviations],
                                          options: [.prettyPrinted, .sortedKeys])
    }
}
