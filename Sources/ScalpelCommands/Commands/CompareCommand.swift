// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
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
            Each strategy × seed is a run folder OUTPUT/STRATEGY/seed-N (--resume continues an interrupted \
            comparison; finished runs are read back). Every train option applies to every strategy.
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

    func validate() throws {
        _ = try StrategyEntry.parse(strategies)
        _ = try seedList()
        guard latencyRepeats >= 1 else { throw ValidationError("--latency-repeats must be at least 1.") }
    }

    func seedList() throws -> [UInt64] { try TrainCommand.parseSeeds(seeds) }

    func run() throws {
        let device = try runtime.configure()
        let reporter = ProgressReporter(quiet: output.quiet, jsonLines: output.jsonLines)
        let name = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: output.output ?? "runs/compare-\(name)-\(model.model)")
        let prepared = try TrainingSession.prepareData(data, splitSeed: splitSeed, reporter: reporter)
        let size = try model.resolvedImageSize(nativeSize: prepared.nativeSize)
        let entries = try StrategyEntry.parse(strategies)
        // Every strategy must fit the backbone (cut points, block names, counts) before anything trains.
        for entry in entries {
            let backbone = try model.randomBackbone(classCount: prepared.splits.train.classNames.count,
                                                    inputChannels: prepared.channels)
            do {
                _ = try entry.strategy().makeModel(from: backbone, classCount: prepared.splits.train.classNames.count,
                                                   generator: nil)
            } catch let error as TrainingError {
                throw CommandError("--strategies: \(entry.label): \(error.description)")
            }
        }
        var rows: [ComparisonTable.Row] = []
        for entry in entries {
            let strategy = try entry.strategy()
            var training = self.training
            training.strategy = entry.name
            training.strategyParams = entry.parameters
            var model = self.model
            if !strategy.usesPretrainedWeights { model.weights = "none" }
            reporter.note("strategy \(entry.label)")
            let resolved = TrainCommand.resolvedOptions(data: data, model: model, training: training, runtime: runtime,
                                                        splitSeed: splitSeed)
            let runs = try TrainCommand.train(data: data, model: model, training: training, output: output, device: device,
                                              seeds: try seedList(), splitSeed: splitSeed,
                                              folder: folder.appendingPathComponent(entry.folderName),
                                              resolved: resolved, reporter: reporter)
            let cost = try Self.cost(of: strategy, model: model, training: training,
                                     classCount: prepared.splits.train.classNames.count,
                                     channels: prepared.channels, size: size, device: device, repeats: latencyRepeats)
            rows.append(ComparisonTable.Row(strategy: entry.label, runs: runs.map(\.results), parameters: cost.parameters,
                                            trainableParameters: cost.trainable, macs: cost.macs,
                                            latencyMilliseconds: cost.milliseconds))
        }
        let table = ComparisonTable(title: "\(model.model) on \(data.data), \(size)×\(size), seeds \(seeds); test set, best epoch by validation \(training.monitor)",
                                    rows: rows)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(Data(table.markdown().utf8), to: folder.appendingPathComponent("compare.md"))
        try RunFolder.writeAtomically(Data(table.csv().utf8), to: folder.appendingPathComponent("compare.csv"))
        try RunFolder.writeAtomically(try table.json(), to: folder.appendingPathComponent("compare.json"))
        guard !output.jsonLines else { return reporter.emit(["event": "finished", "run_folder": folder.path]) }
        print(table.markdown())
        print("Written: \(folder.path)/compare.{md,csv,json}")
    }

    /// Parameters (all, and those that train in some phase), MACs per image and batch-1 latency of the
    /// strategy's network at `size`.
    static func cost(of strategy: TransferStrategy, model: ModelOptions, training: TrainingOptions, classCount: Int,
                     channels: Int, size: Int, device: Device, repeats: Int)
        throws -> (parameters: Int, trainable: Int, macs: Int, milliseconds: Double) {
        let backbone = try model.randomBackbone(classCount: classCount, inputChannels: channels)
        let network = try strategy.makeModel(from: backbone, classCount: classCount, generator: try Generator(seed: 0))
        let phases = try training.phases(strategy, model: network, backbone: backbone)
        let trainable = network.parameters()
            .filter { parameter in phases.contains { $0.trainable.matches(parameter.key) } }
            .reduce(0) { $0 + $1.tensor.elementCount }
        try network.move(to: device)
        let complexity = try ModelComplexity.measure(network, inputShape: [1, channels, size, size])
        let latency = try ModelComplexity.measureLatency(network, sampleShape: [channels, size, size], batchSizes: [1],
                                                         warmUp: 3, repeats: repeats)
        return (complexity.parameters, trainable, complexity.macs.total, (latency.measurement(batchSize: 1)?.median ?? 0) * 1000)
    }
}
