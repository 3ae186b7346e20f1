// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelData
import ScalpelTraining
import Torch

/// `scalpel evaluate`: a trained run's metrics, with confidence intervals, on any split of its data
/// or on other data with the same classes.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained run on a split of its data, or on other data with the same classes.")

    @Argument(help: "The run folder of `scalpel train`.")
    var runFolder: String

    @Option(help: "Data to evaluate on (default: the run's own data); same forms as train --data.")
    var data: String?

    @Option(help: "Which split: train, val or test.")
    var split: String = "test"

    @Option(help: "Which weights: best or last.")
    var weights: String = "best"

    @Option(help: "Bootstrap resamples for the 95 % confidence intervals.")
    var bootstrap: Int = 1000

    @Option(help: "Write the metrics as JSON here (default: RUN/evaluations/DATA-SPLIT.json, with predictions beside it).")
    var output: String?

    @OptionGroup var precisionOptions: InferencePrecisionOptions

    @Flag(help: "Also evaluate in fp32 and report how much the metrics change (paired bootstrap interval), written beside the metrics as …-vs-fp32.json.")
    var againstFp32 = false

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard ["train", "val", "test"].contains(split) else { throw ValidationError("--split must be train, val or test, got '\(split)'.") }
        guard RunFolder.Weights(rawValue: weights) != nil else { throw ValidationError("--weights must be best or last, got '\(weights)'.") }
        guard (0...100_000).contains(bootstrap) else {
            throw ValidationError("--bootstrap must be from 0 to 100000 resamples (1000–2000 give stable 95 % intervals), got \(bootstrap).")
        }
        if againstFp32, try precisionOptions.parsed() == .fp32 {
            throw ValidationError("--against-fp32 compares another precision with fp32; add --precision bf16.")
        }
    }

    func run() throws {
        let device = try runtime.configure()
        let precision = try precisionOptions.resolve(on: device)
        let trained = try FinishedRun(path: runFolder, allowUnfinished: true)
        let splits = try trained.splits(source: data)
        let set: any ImageDataset = switch split {
        case "train": splits.train
        case "val": splits.validation
        default: splits.test
        }
        let model = try trained.network(weights: RunFolder.Weights(rawValue: weights)!, device: device)
        let loader = try DataLoader.evaluation(dataset: set, transform: try trained.evaluationTransform, batchSize: 128,
                                               workers: 2, onBadImage: trained.specification.data.onBadImage)
        let predictions = try Predictions.collect(model: model, loader: loader, device: device, channelsLast: device == .cpu,
                                                  loss: nil, precision: precision)
        let report = try MetricReport(predictions, resamples: bootstrap, seed: runtime.seed)
        let name = URL(fileURLWithPath: data ?? trained.specification.data.source).deletingPathExtension().lastPathComponent + "-" + split
        let destination = output.map { URL(fileURLWithPath: $0) }
            ?? trained.folder.url.appendingPathComponent("evaluations/\(name).json")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try RunFolder.writeAtomically(try encoder.encode(report), to: destination)
        let csv = destination.deletingPathExtension().appendingPathExtension("csv")
        try RunFolder.writeAtomically(Data(predictions.csv().utf8), to: csv)
        print("\(trained.card.architecture) (\(weights) weights of \(runFolder)) on \(set.source), \(predictions.count) images")
        for key in report.metrics.keys.sorted() {
            let metric = report.metrics[key]!
            let value = metric.value.map { String(format: "%.4f", $0) } ?? "undefined"
            let interval = metric.lower.flatMap { lower in metric.upper.map { String(format: " [%.4f, %.4f]", lower, $0) } } ?? ""
            print("  \(key.padding(toLength: 18, withPad: " ", startingAt: 0)) \(value)\(interval)\(metric.note.map { "  (\($0))" } ?? "")")
        }
        for skipped in predictions.skipped { print("  skipped \(skipped)") }
        print("Metrics: \(destination.path)\nPredictions: \(csv.path)")
        if againstFp32 {
            let reference = try Predictions.collect(model: model, loader: loader, device: device, channelsLast: device == .cpu, loss: nil)
            let differences = try PairedDifference.compare(reference: reference, candidate: predictions, resamples: bootstrap,
                                                           seed: runtime.seed)
            let file = destination.deletingPathExtension().appendingPathExtension("vs-fp32.json")
            try RunFolder.writeAtomically(try encoder.encode(differences), to: file)
            print("\(precision) − fp32 (paired bootstrap, \(bootstrap) resamples):")
            for d in differences {
                let interval = d.difference.lower.flatMap { lower in d.difference.upper.map { String(format: " [%+.5f, %+.5f]", lower, $0) } } ?? ""
                print("  \(d.metric.padding(toLength: 18, withPad: " ", startingAt: 0)) \(String(format: "%.5f → %.5f: %+.5f", d.reference, d.candidate, d.difference.value ?? .nan))\(interval)")
            }
            print("Difference: \(file.path)")
        }
    }
}
