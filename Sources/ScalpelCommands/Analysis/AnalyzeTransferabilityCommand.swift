// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelAnalysis
import ScalpelData
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining
import Torch

/// `scalpel analyze transferability`: LogME, H-score and GBC on the frozen features of every cut point of
/// pretrained backbones, and LEEP and NCE on their ImageNet predictions — no fine-tuning.
struct AnalyzeTransferabilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transferability",
        abstract: "Score pretrained backbones and their cut points for a task without fine-tuning (LogME, LEEP, NCE, H-score, GBC).",
        discussion: """
            Features are averaged over positions at each cut point. LogME, H-score and GBC: higher is better; \
            LEEP and NCE use the backbone's ImageNet classifier. Published benchmarks found these scores unreliable \
            on medical images: check them against fine-tuned results (weighted Kendall τ) before trusting a ranking.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: "Comma-separated backbones (scalpel models lists them).")
    var models: String = "efficientnet_lite0"

    @Option(help: "all (every block cut point) or comma-separated cut point names.")
    var cuts: String = "all"

    @Option(help: "Which split's images to score: train, val or test.")
    var set: String = "train"

    @Option(help: "At most this many images of the split (in order).")
    var maxImages: Int = 2000

    @Option(help: "Image size fed to the networks (default: the data's own size, at least 32).")
    var imageSize: Int?

    @Option(help: "Pretrained weights: imagenet, a weight name or file (as train --weights), or none (random: a control).")
    var weights: String = "imagenet"

    @Option(help: "Folder for transferability.json and .csv (default: transferability-DATA).")
    var output: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard ["train", "val", "test"].contains(set) else { throw ValidationError("--set must be train, val or test, got '\(set)'.") }
        guard (2 ... TransferabilityAnalysis.largestImageCount).contains(maxImages) else {
            throw ValidationError("--max-images must be in 2...\(TransferabilityAnalysis.largestImageCount), got \(maxImages).")
        }
        guard !modelNames.isEmpty else { throw ValidationError("--models is empty.") }
    }

    var modelNames: [String] { models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func run() throws {
        let device = try runtime.configure()
        let prepared = try RunData(data.specification(splitSeed: runtime.seed))
        let full: any ImageDataset = switch set {
        case "train": prepared.splits.train
        case "val": prepared.splits.validation
        default: prepared.splits.test
        }
        guard full.task != .multiLabel else {
            throw CommandError("--data: \(full.source) is multi-label; these scores are defined for one class per image")
        }
        let images = full.count > maxImages ? full.subset(Array(0 ..< maxImages)) : full
        // Every model and cut point is checked before any image is read.
        var backbones: [(name: String, options: ModelOptions, cuts: [CutPoint])] = []
        for name in modelNames {
            var arguments = ["--model", name, "--weights", weights]
            if let imageSize { arguments += ["--image-size", String(imageSize)] }
            let options: ModelOptions
            do { options = try ModelOptions.parse(arguments) } catch {
                throw CommandError("--models: \(name): \(ModelOptions.message(for: error))")
            }
            let probe = try options.specification.randomBackbone(classCount: 1000, inputChannels: prepared.channels)
            let chosen: [CutPoint] = cuts == "all" ? probe.cutPoints(.block)
                : try cuts.split(separator: ",").map { try probe.cutPoint(named: $0.trimmingCharacters(in: .whitespaces)) }
            backbones.append((name, options, chosen))
        }
        var results: [BackboneTransferability] = []
        for (name, options, chosen) in backbones {
            let backbone = try options.specification.buildBackbone(classCount: 1000, inputChannels: prepared.channels, seed: runtime.seed)
            try backbone.move(to: device)
            backbone.setMode(.evaluation)
            let size = try options.specification.resolvedImageSize(nativeSize: max(prepared.nativeSize, 32))
            let loader = try DataLoader.evaluation(dataset: images, transform: try options.specification.evaluationTransform(size: size, channels: prepared.channels),
                                                   batchSize: 64, workers: 2, onBadImage: data.onBadImage)
            let result = try TransferabilityAnalysis.analyze(backbone: backbone, name: name, cuts: chosen,
                                                             sourceScores: options.specification.isPretrained) { consume in
                var batches = loader.batches(epoch: 0)
                while let batch = try batches.next() {
                    try consume(try batch.images.to(device: device), batch.labels.map { $0.first ?? 0 })
                }
            }
            results.append(result)
            print("\(name) on \(result.images) \(set) images of \(images.source)" +
                  (result.leep.map { String(format: ": LEEP %.5f, NCE %.5f", $0, result.nce ?? .nan) } ?? ""))
            for cut in result.cuts {
                let values = [("LogME", cut.logME), ("H-score", cut.hScore), ("GBC", cut.gbc)]
                    .map { "\($0.0) \($0.1.map { String(format: "%.5f", $0) } ?? "failed")" }.joined(separator: "  ")
                print("  \(cut.cut.padding(toLength: 14, withPad: " ", startingAt: 0)) \(values)" + (cut.note.map { "  (\($0))" } ?? ""))
            }
        }
        let stem = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: output ?? "transferability-\(stem)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(try AnalysisJSON.encode(results), to: folder.appendingPathComponent("transferability.json"))
        var csv = ["model,cut,channels,logme,h_score,gbc,leep,nce"]
        for result in results {
            for cut in result.cuts {
                csv.append([result.model, cut.cut, String(cut.channels), cut.logME.map { "\($0)" } ?? "", cut.hScore.map { "\($0)" } ?? "",
                            cut.gbc.map { "\($0)" } ?? "", result.leep.map { "\($0)" } ?? "", result.nce.map { "\($0)" } ?? ""]
                    .joined(separator: ","))
            }
        }
        try RunFolder.writeAtomically(Data((csv.joined(separator: "\n") + "\n").utf8), to: folder.appendingPathComponent("transferability.csv"))
        print("Results: \(folder.appendingPathComponent("transferability.json").path)")
    }
}
