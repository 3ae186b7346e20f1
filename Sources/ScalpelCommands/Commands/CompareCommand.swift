// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining
import Torch

/// `scalpel compare`: strategies × seeds on one dataset, as a table in the shape of the TruncatedTL
/// paper's Table 1 (AUROC and AUPRC mean ± std, parameters, MACs, latency), written as Markdown, CSV
/// and JSON.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train several strategies with several seeds on one dataset and compare them.",
        discussion: """
            Each strategy × seed is a run folder OUTPUT/STRATEGY/seed-N, and the comparison is a sweep over them: \
            a failed run is recorded in OUTPUT/sweep-state.json and the others go on; --resume continues an \
            interrupted comparison (finished runs are read back) and --retry-failed reruns the failed ones; \
            --concurrency trains several at once. Every train option applies to every strategy.
            """)

    @Option(help: "Strategies to compare: NAME or NAME:K=V,… separated by ';' (e.g. \"full; linear-probe; truncated:cut=layer3\").")
    var strategies: String

    @Option(help: "Seeds (comma-separated); the table reports mean ± std over them.")
    var seeds: String = "0,1,2"

    @Option(help: "Seed of the train/validation/test split, for data that come without one.")
    var splitSeed: UInt64 = 0

    @Option(help: "Timed batch-1 forward passes per strategy for the latency column.")
    var latencyRepeats: Int = 20

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var sweep: SweepOptions

    func validate() throws {
        _ = try StrategyEntry.parse(strategies)
        _ = try seedList()
        guard latencyRepeats >= 1 else { throw ValidationError("--latency-repeats must be at least 1.") }
    }

    func seedList() throws -> [UInt64] { try parseSeeds(seeds) }

    func run() throws {
        let device = try runtime.configure()
        let reporter = ProgressReporter(quiet: output.quiet, jsonLines: output.jsonLines)
        let name = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: output.output ?? "runs/compare-\(name)-\(model.model)")
        let base = RunSpecification(data: data, model: model, training: training, runtime: runtime, splitSeed: splitSeed)
        let runData = try RunData(base.data, warn: { reporter.note("warning: " + $0) })
        reporter.note("data: \(runData.description)")
        let size = try model.specification.resolvedImageSize(nativeSize: runData.nativeSize)
        let entries = try StrategyEntry.parse(strategies)
        let runs = entries.map { entry in
            var specification = base
            specification.strategy.name = entry.name
            specification.strategy.parameters = entry.parameters
            specification.model.weights = model.weights
            return (label: entry.label, specification: specification.withStrategyWeights())
        }
        // Every input of every run (strategy fits the backbone, weights on disk, data) before anything trains.
        do { try RunPreflight.check(runs, data: runData) } catch let error as ExperimentError {
            throw CommandError("--strategies: \(error.description)")
        }
        // The comparison is a sweep over strategies × seeds: a failed run is recorded in sweep-state.json
        // and the others go on; --resume reads finished runs back; --retry-failed reruns the failed ones.
        let seeds = try seedList()
        let lock = try FolderLock(folder, purpose: "the comparison folder")
        defer { lock.release() }
        var points: [SweepPlan.Point] = []
        for (entry, run) in zip(entries, runs) {
            for seed in seeds {
                var specification = run.specification
                specification.runtime.seed = seed
                points.append(SweepPlan.Point(labels: [("strategy", entry.label), ("seed", "\(seed)")], specification: specification,
                                              folder: SeedRuns.folder(for: seed, of: seeds, in: folder.appendingPathComponent(entry.folderName))))
            }
        }
        let plan = try SweepPlan(output: folder, axes: ["strategy", "seed"], points: points, concurrency: sweep.concurrency, maximumRuns: .max)
        let state = try CommandSweep.run(plan, data: (base.data, runData), output: output, sweep: sweep, reporter: reporter,
                                         what: "comparison")
        var rows: [ComparisonTable.Row] = []
        for (entry, run) in zip(entries, runs) {
            let strategyFolder = folder.appendingPathComponent(entry.folderName)
            var seedRuns: [SeedRun] = []
            for seed in seeds {
                let url = SeedRuns.folder(for: seed, of: seeds, in: strategyFolder), runFolder = RunFolder(url)
                guard runFolder.isFinished else { continue }
                seedRuns.append(SeedRun(seed: seed, folder: url, results: try RunResults(contentsOf: runFolder.metricsURL)))
            }
            if seeds.count > 1, !seedRuns.isEmpty {
                try RunFolder.writeAtomically(try SeedRuns.summaryJSON(seedRuns), to: strategyFolder.appendingPathComponent("summary.json"))
            }
            let cost = try RunCost(of: run.specification, classCount: runData.classCount, channels: runData.channels, size: size,
                                   device: device, repeats: latencyRepeats)
            rows.append(ComparisonTable.Row(strategy: entry.label, runs: seedRuns.map(\.results), parameters: cost.parameters,
                                            trainableParameters: cost.trainableParameters, macs: cost.macs,
                                            latencyMilliseconds: cost.latencyMilliseconds))
        }
        let table = ComparisonTable(title: "\(model.model) on \(data.data), \(size)×\(size), seeds \(seeds); test set, best epoch by validation \(training.monitor)",
                                    rows: rows)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(Data(table.markdown().utf8), to: folder.appendingPathComponent("compare.md"))
        try RunFolder.writeAtomically(Data(table.csv().utf8), to: folder.appendingPathComponent("compare.csv"))
        try RunFolder.writeAtomically(try table.json(), to: folder.appendingPathComponent("compare.json"))
        if let failure = CommandSweep.failure(state, output: folder, written: "the table") { throw failure }
        guard !output.jsonLines else { return reporter.emit(["event": "finished", "run_folder": folder.path]) }
        print(table.markdown())
        print("Written: \(folder.path)/compare.{md,csv,json}")
    }
}
