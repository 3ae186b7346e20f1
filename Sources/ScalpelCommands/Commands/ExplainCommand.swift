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

/// `scalpel explain`: Grad-CAM or Grad-CAM++ maps of a trained run at any cut point, with overlay
/// PNGs, a grid per class and the faithfulness checks (deletion/insertion areas, model randomisation).
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Where a trained run looks: Grad-CAM / Grad-CAM++ maps at a cut point, with overlays and faithfulness checks.")

    @Argument(help: "The run folder of `scalpel train` (finished).")
    var runFolder: String

    @Option(help: "gradcam or gradcam++ (jacobgil's Eq. 19 form).")
    var method: String = "gradcam"

    @Option(help: "The cut point to explain at (default: the deepest block with a map of at least 2 × 2; `scalpel models ARCH --cuts` lists them).")
    var cut: String?

    @Option(name: .customLong("class"), help: "The class to explain, by index or name (default: each image's predicted class).")
    var targetClass: String?

    @Option(parsing: .upToNextOption, help: "Image files or folders to explain.")
    var images: [String] = []

    @Option(help: "Or explain images of a split of the run's data: train, val or test.")
    var split: String?

    @Option(help: "How many images of --split (the first ones).")
    var count: Int = 16

    @Option(help: "Output folder, which must not exist (default: RUN/explanations/METHOD-CUT-CLASS).")
    var output: String?

    @Option(help: "Which weights: best or last.")
    var weights: String = "best"

    @Option(help: "Deletion/insertion steps (0: skip the curves).")
    var steps: Int = 16

    @Flag(help: "Skip the model-randomisation sanity check.")
    var noRandomisation = false

    @Option(help: "Images per batch.")
    var batchSize: Int = 16

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard CAMMethod(rawValue: method) != nil else { throw ValidationError("--method must be gradcam or gradcam++, got '\(method)'.") }
        guard images.isEmpty != (split == nil) else { throw ValidationError("give either --images FILES or --split SPLIT --count N.") }
        if let split, !["train", "val", "test"].contains(split) { throw ValidationError("--split must be train, val or test, got '\(split)'.") }
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1…100000, got \(count).") }
        guard (0...1024).contains(steps) else { throw ValidationError("--steps must be 0…1024, got \(steps).") }
        guard (1...1024).contains(batchSize) else { throw ValidationError("--batch-size must be 1…1024, got \(batchSize).") }
        guard RunFolder.Weights(rawValue: weights) != nil else { throw ValidationError("--weights must be best or last, got '\(weights)'.") }
    }

    func run() throws {
        let device = try runtime.configure()
        let trained = try RunSimilarity.openFinished(runFolder)   // FinishedRun, as `analyze` opens it
        let files = images.isEmpty ? nil : try ImageFileList(paths: images, task: trained.card.task, classNames: trained.card.classNames)
        if let files { try Self.checkChannels(files, expected: trained.card.inputChannels) }
        let chosenWeights = RunFolder.Weights(rawValue: weights)!
        let network = try Self.splitNetwork(trained, weights: chosenWeights, device: device)
        let cutPoint = try cut.map { try network.cutPoint(named: $0) } ?? Self.defaultCut(network, imageSize: trained.card.imageSize)
        let classIndex = try targetClass.map { try Self.classIndex($0, classNames: trained.card.classNames) }
        let destination = output.map { URL(fileURLWithPath: $0) } ?? trained.folder.url.appendingPathComponent(
            "explanations/\(method)-\(cutPoint.name)-\(classIndex.map { trained.card.classNames[$0] } ?? "predicted")")
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw CommandError("\(destination.path) exists already; give another --output or remove it")
        }
        let dataset: any ImageDataset = try files ?? splitData(trained)
        var randomised: (any SplitNetwork)?
        if !noRandomisation {
            let copy = try Self.splitNetwork(trained, weights: chosenWeights, device: device)
            try RandomisationCheck.reinitialiseTop(of: copy, above: cutPoint, generator: try Generator(seed: runtime.seed))
            randomised = copy
        }
        let score: DeletionInsertion.Score = trained.card.task == .multiLabel ? .sigmoid : .softmax
        var job = try ExplanationJob(explainer: try GradCAM(network: network, cut: cutPoint, method: CAMMethod(rawValue: method)!),
                                     targetClass: classIndex, classNames: trained.card.classNames,
                                     inputChannels: trained.card.inputChannels,
                                     faithfulness: steps > 0 ? try DeletionInsertion(steps: steps, score: score) : nil,
                                     randomised: randomised)
        job.score = score
        let limit = images.isEmpty ? count : Int.max
        let loader = try DataLoader.evaluation(dataset: dataset, transform: try trained.evaluationTransform, batchSize: batchSize,
                                               workers: 2, onBadImage: trained.specification.data.onBadImage)
        var batches = loader.batches(epoch: 0)
        var taken = 0
        let records = try job.run(device: device, destination: destination) {
            guard taken < limit, let batch = try batches.next() else { return nil }
            let kept = min(batch.count, limit - taken)
            taken += kept
            return (try batch.images.slice(axis: 0, start: 0, end: kept), Array(batch.sampleIDs.prefix(kept)))
        }
        batches.cancel()
        print("\(method) at \(cutPoint.name) of \(trained.card.architecture): \(records.count) image(s) explained -> \(destination.path)")
        let deletion = records.compactMap(\.deletionArea), insertion = records.compactMap(\.insertionArea)
        if !deletion.isEmpty {
            print(String(format: "  deletion AUC %.4f, insertion AUC %.4f (means; lower deletion and higher insertion are better)",
                         deletion.reduce(0, +) / Double(deletion.count), insertion.reduce(0, +) / Double(insertion.count)))
        }
        let correlations = records.compactMap(\.randomisationCorrelation)
        if !correlations.isEmpty {
            print(String(format: "  randomisation check: mean Spearman %.4f between the maps of the trained and the re-initialised top (near 1: the maps ignore the model)",
                         correlations.reduce(0, +) / Double(correlations.count)))
        }
    }

    /// The first `--count` images of `--split` of the run's own data.
    private func splitData(_ trained: FinishedRun) throws -> any ImageDataset {
        let splits = try trained.splits()
        let set: any ImageDataset = switch split {
        case "train": splits.train
        case "val": splits.validation
        default: splits.test
        }
        guard set.count > 0 else { throw CommandError("the \(split ?? "test") split of \(set.source) is empty") }
        return set.subset(Array(0..<min(count, set.count)))
    }

    /// The run's network as a ``SplitNetwork`` (every strategy's network is one).
    static func splitNetwork(_ trained: FinishedRun, weights: RunFolder.Weights, device: Device) throws -> any SplitNetwork {
        guard let network = try trained.network(weights: weights, device: device) as? any SplitNetwork else {
            throw CommandError("\(trained.url.path): the run's network has no cut points to explain at")
        }
        return network
    }

    /// The deepest block cut point whose feature map is at least 2 × 2 at `imageSize` (a 1 × 1 map is
    /// a constant picture), or the first block.
    static func defaultCut(_ network: any SplitNetwork, imageSize: Int) -> CutPoint {
        let blocks = network.cutPoints(.block)
        return blocks.last { imageSize / max($0.reduction, 1) >= 2 } ?? blocks.first ?? network.cutPoints[0]
    }

    /// Refuses, before any model is built, an image whose colour channels (gray or RGB, alpha aside)
    /// are not the network's.
    static func checkChannels(_ files: ImageFileList, expected: Int) throws {
        guard files.count <= 100_000 else { throw CommandError("--images: \(files.count) files; explain at most 100000 at a time") }
        for index in 0..<files.count {
            let channels = try files.image(index).channels >= 3 ? 3 : 1
            if channels != expected {
                throw CommandError("\(files.files[index].path): \(channels == 3 ? "a colour" : "a gray") image, but the run's network takes \(expected) channel(s) (\(expected == 1 ? "gray" : "RGB")); convert it first")
            }
        }
    }

    /// A class given by index or by name.
    static func classIndex(_ text: String, classNames: [String]) throws -> Int {
        if let index = classNames.firstIndex(of: text) { return index }
        if let index = Int(text), classNames.indices.contains(index) { return index }
        throw CommandError("--class \(text): no such class; the run's classes are \(classNames.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "))")
    }
}
