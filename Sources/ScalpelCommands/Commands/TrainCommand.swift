// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
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
        return try parseSeeds(seeds)
    }

    func run() throws {
        if scale.nproc > 1 {
            return try LocalLauncher.run(processes: scale.nproc, arguments: CommandLine.arguments, threads: runtime.threads)
        }
        let device = try runtime.configure()
        let reporter = ProgressReporter(quiet: output.quiet, jsonLines: output.jsonLines)
        let context = try ScaleContext.join(scale, reporter: reporter)
        // bf16 on a CPU without native bfloat16 runs emulated: say so rather than run silently slower.
        if let warning = try? context.precision.validate(on: device) { reporter.note("warning: " + warning) }
        let specification = self.specification()
        if specification.model.weights != model.weights {
            reporter.note("strategy \(training.strategy): random initialisation (--weights ignored)")
        }
        let folder = URL(fileURLWithPath: output.output ?? defaultOutput())
        let data = try RunData(specification.data, warn: { reporter.note("warning: " + $0) })
        reporter.note("data: \(data.description)")
        let seeds = try seedList()
        let runs = try LiveReports.following(reporter, everySteps: output.reportEvery, seeds: seeds, folder: folder,
                                             resume: output.resume, force: output.force) {
            try SeedRuns.run(specification, seeds: seeds, folder: folder, data: data, resume: output.resume,
                             force: output.force, index: recordingIndex(note: reporter.note), note: reporter.note, observer: { reporter($0) },
                             exchange: context.group)
        }
        guard context.isLeader else { return }
        let title = "Test results: \(model.model) (\(training.strategy)) on \(self.data.data), best epoch by validation \(training.monitor)"
        // With --json-lines standard output holds JSON lines only: the table is in the run folder.
        guard !output.jsonLines else { return reporter.emit(["event": "finished", "run_folder": folder.path]) }
        print(ResultsTable(title: title, runs: runs.map { ($0.seed, $0.results) }).text())
        print("Run folder: \(folder.path)")
    }

    /// The run these options describe (with the first seed).
    func specification() -> RunSpecification {
        var specification = RunSpecification(data: data, model: model, training: training, runtime: runtime, splitSeed: splitSeed)
        specification.runtime.precision = (try? scale.parsedPrecision()) ?? .fp32   // validate() has parsed it
        return specification
    }

    func defaultOutput() -> String {
        let name = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        return "runs/\(name)-\(model.model)-\(training.strategy)"
    }
}
