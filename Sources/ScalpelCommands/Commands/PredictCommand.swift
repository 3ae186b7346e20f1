// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelData
import ScalpelTraining
import Torch

/// `scalpel predict`: class probabilities of a trained run for images or folders of images, as CSV.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict class probabilities for images or folders of images with a trained run.")

    @Argument(help: "The run folder of `scalpel train`.")
    var runFolder: String

    @Argument(help: "Image files or folders (searched recursively).")
    var images: [String]

    @Option(help: "Write the CSV here (default: standard output).")
    var output: String?

    @Option(help: "Which weights: best or last.")
    var weights: String = "best"

    @Option(help: "What to do with an unreadable image: fail or skip (named either way).")
    var onBadImage: BadImagePolicy = .fail

    @OptionGroup var precisionOptions: InferencePrecisionOptions

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image file or folder.") }
        guard RunFolder.Weights(rawValue: weights) != nil else { throw ValidationError("--weights must be best or last, got '\(weights)'.") }
    }

    func run() throws {
        let device = try runtime.configure()
        let precision = try precisionOptions.resolve(on: device)
        let trained = try FinishedRun(path: runFolder, allowUnfinished: true)
        let files = try ImageFileList(paths: images, task: trained.card.task, classNames: trained.card.classNames)
        let model = try trained.network(weights: RunFolder.Weights(rawValue: weights)!, device: device)
        let loader = try DataLoader.evaluation(dataset: files, transform: try trained.evaluationTransform, batchSize: 64,
                                               workers: 2, onBadImage: onBadImage)
        let predictions = try Predictions.collect(model: model, loader: loader, device: device, channelsLast: device == .cpu,
                                                  loss: nil, precision: precision)
        var lines = [CSVWriter.row(["path", "predicted"] + predictions.classNames.map { "p_\($0)" })]
        for (index, id) in predictions.sampleIDs.enumerated() {
            let probabilities = predictions.probabilities[index]
            let predicted: String
            if predictions.task == .multiLabel {
                predicted = probabilities.enumerated().filter { $0.element > 0.5 }.map { predictions.classNames[$0.offset] }.joined(separator: "|")
            } else {
                predicted = predictions.classNames[probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0]
            }
            lines.append(CSVWriter.row([id, predicted] + probabilities.map { String($0) }))
        }
        let text = lines.joined(separator: "\n") + "\n"
        if let output {
            try RunFolder.writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: output))
            FileHandleOutput.standardError("\(predictions.count) prediction(s) written to \(output)\n")
        } else {
            print(text, terminator: "")
        }
        for skipped in predictions.skipped { FileHandleOutput.standardError("skipped \(skipped)\n") }
    }
}
