// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelTraining
import Torch

/// `scalpel train`: fine-tune (or train) a backbone on a dataset and write a run folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a backbone on a medical image dataset and evaluate it on the test set.",
        discussion: """
            Writes a run folder: config.yaml (the resolved options; --config repeats the run), metrics.json \
            (per-epoch history, best epoch, test metrics with 95 % bootstrap CIs), predictions.csv, \
            model.json, checkpoints/ (last and best) and log.txt. A killed run continues with --resume and ends \
            with the same metrics. Every option can come from a YAML file: --config FILE.yaml.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var scale: ScaleOptions

    @Option(help: "Repeat the run with each of these seeds (comma-separated) and report mean ± std; runs go to OUTPUT/seed-N.")
    var seeds: String?

    @Option(help: "Seed of the train/validation/test split, for data that come without one.")
    var splitSeed: UInt64 = 0

    func validate() throws {
        _ = try seedList()
        try training.validateStrategy()
    }

    func seedList() throws -> [UInt64] {
        guard let seeds else { return [runtime.seed] }
        return try Self.parseSeeds(seeds)
    }

    /// `0,1,2` → [0, 1, 2]; anything else is a validation error naming --seeds.
    static func parseSeeds(_ text: String) throws -> [UInt64] {
        let values = text.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--seeds: expected comma-separated non-negative integers, got '\(text)'.")
        }
        return values.map { $0! }
    }

    func run() throws {
        if scale.nproc > 1 {
            return try LocalLauncher.run(processes: scale.nproc, arguments: CommandLine.arguments, threads: runtime.threads)
        }
        let device = try runtime.configure()
        let reporter = ProgressReporter(quiet: output.quiet, jsonLines: output.jsonLines)
        let context = try ScaleContext.join(scale, reporter: reporter)
        var modelOptions = model
        if !(try training.transferStrategy().usesPretrainedWeights), modelOptions.isPretrained {
            modelOptions.weights = "none"
            reporter.note("strategy scratch: random initialisation (--weights ignored)")
        }
        let folder = URL(fileURLWithPath: output.output ?? defaultOutput())
        let results = try Self.train(data: data, model: modelOptions, training: training, output: output, device: device,
                                     seeds: try seedList(), splitSeed: splitSeed, folder: folder,
                                     resolved: Self.resolvedOptions(data: data, model: modelOptions, training: training,
                                                                     runtime: runtime, splitSeed: splitSeed)
                                         + (context.precision == .fp32 ? [] : [("precision", context.precision.rawValue)]),
                                     reporter: reporter, scale: context)
        guard context.isLeader else { return }
        let title = "Test results: \(modelOptions.model) (\(training.strategy)) on \(data.data), best epoch by validation \(training.monitor)"
        print(ResultsTable(title: title, runs: results).text())
        print("Run folder: \(folder.path)")
    }

    /// Runs every seed (a finished seed is read back when resuming) and returns their results.
    static func train(data: DataOptions, model: ModelOptions, training: TrainingOptions, output: OutputOptions,
                      device: Device, seeds: [UInt64], splitSeed: UInt64, folder: URL, resolved: [(String, String?)],
                      reporter: ProgressReporter, scale: ScaleContext = ScaleContext()) throws -> [(seed: UInt64, results: RunResults)] {
        let prepared = try TrainingSession.prepareData(data, splitSeed: splitSeed, reporter: reporter)
        reporter.note("data: \(prepared.description)")
        var session = TrainingSession(data: data, model: model, training: training, output: output, device: device,
                                      resolvedConfiguration: resolved)
        session.scale = scale
        var results: [(seed: UInt64, results: RunResults)] = []
        var folders: [String] = []
        for seed in seeds {
            let runFolder = seeds.count > 1 ? folder.appendingPathComponent("seed-\(seed)") : folder
            if seeds.count > 1 { reporter.note("seed \(seed) → \(runFolder.path)") }
            if output.resume, !output.force, RunFolder(runFolder).isFinished {
                reporter.note("seed \(seed): already finished, read from \(runFolder.path)")
            } else {
                _ = try session.run(prepared: prepared, seed: seed, folder: runFolder, reporter: reporter)
            }
            results.append((seed, try RunResults(contentsOf: RunFolder(runFolder).metricsURL)))
            folders.append(runFolder.path)
        }
        if seeds.count > 1, scale.isLeader {
            let table = ResultsTable(title: "", runs: results)
            try RunFolder.writeAtomically(try table.json(folders: folders), to: folder.appendingPathComponent("summary.json"))
        }
        return results
    }

    func defaultOutput() -> String {
        let name = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        return "runs/\(name)-\(model.model)-\(training.strategy)"
    }

    /// Every option with its value, for config.yaml.
    static func resolvedOptions(data: DataOptions, model: ModelOptions, training: TrainingOptions, runtime: RuntimeOptions,
                                splitSeed: UInt64) -> [(String, String?)] {
        [("data", data.data), ("size", String(data.size)), ("path-column", data.pathColumn),
         ("label-column", data.labelColumn), ("split-column", data.splitColumn), ("patient-column", data.patientColumn),
         ("classes", data.classes), ("ordinal", data.ordinal ? "true" : nil), ("image-root", data.imageRoot),
         ("split", data.split), ("split-seed", String(splitSeed)), ("on-bad-image", data.onBadImage.rawValue),
         ("model", model.model), ("weights", model.weights), ("image-size", model.imageSize.map(String.init)),
         ("bn-momentum", String(model.bnMomentum)), ("augment", model.augment.rawValue),
         ("strategy", training.strategy), ("strategy-params", training.strategyParams.isEmpty ? nil : training.strategyParams),
         ("bn-policy", training.bnPolicy), ("epochs", String(training.epochs)),
         ("batch-size", String(training.batchSize)), ("lr", String(training.lr)), ("optimizer", training.optimizer.rawValue),
         ("weight-decay", String(training.weightDecay)), ("momentum", String(training.momentum)),
         ("schedule", training.schedule.rawValue), ("milestones", training.milestones), ("gamma", String(training.gamma)),
         ("warmup-epochs", String(training.warmupEpochs)), ("min-lr-factor", String(training.minLrFactor)),
         ("pct-start", String(training.pctStart)), ("plateau-factor", String(training.plateauFactor)),
         ("plateau-patience", String(training.plateauPatience)), ("min-lr", String(training.minLr)),
         ("stop-below", training.stopBelow.map { String($0) }), ("early-stopping", training.earlyStopping.map(String.init)),
         ("monitor", training.monitor), ("clip-grad-norm", training.clipGradNorm.map { String($0) }),
         ("class-weights", training.classWeights), ("bootstrap", String(training.bootstrap)),
         ("workers", String(training.workers)), ("cache-features", training.cacheFeatures.rawValue), ("device", runtime.device), ("threads", runtime.threads.map(String.init))]
    }
}
