// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAnalysis
import ScalpelData
import ScalpelExperiments
import ScalpelModels
import ScalpelReport
import ScalpelTraining
import Torch
import TorchNN

/// `analyze similarity RUN`: opens the run (read only), builds its pretrained start and its fine-tuned
/// backbone, and streams a split's images through ``CutPointSimilarity``. Outputs go to their own folder.
enum RunSimilarity {
    static func analyze(run: String, against: String?, split: String, maxImages: Int, cuts: String?,
                        options: SimilarityOptions, measureOptions: SimilarityMeasureOptions, output: String?,
                        seed: UInt64, device: Device) throws {
        let trained = try openFinished(run)
        let fineTuned = try FineTunedBackbone(trained, device: device)
        let other: FineTunedBackbone?
        let first: any Backbone
        if let against {
            let second = try FineTunedBackbone(try openFinished(against), device: device)
            guard second.backbone.architecture == fineTuned.backbone.architecture else {
                throw CommandError("\(run) is \(fineTuned.backbone.architecture.rawValue) but \(against) is \(second.backbone.architecture.rawValue); compare runs of one architecture")
            }
            other = second
            first = second.backbone
        } else {
            other = nil
            first = try trained.pretrainedBackbone(device: device)
        }
        let shared = fineTuned.cutsWithWeights.intersection(other?.cutsWithWeights ?? fineTuned.cutsWithWeights)
        let names = cuts.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let chosen = try CutPointSimilarity.sharedCuts(first, fineTuned.backbone, names: names, sharedByWeights: shared)

        let report = try compare(trained: trained, first: first, second: fineTuned.backbone, cuts: chosen, split: split,
                                 maxImages: maxImages, options: options, spatial: measureOptions.spatial,
                                 baselineDraws: measureOptions.baselineDraws, seed: seed, device: device)
        let folder = URL(fileURLWithPath: output ?? trained.folder.url.appendingPathComponent(
            "analysis/similarity-\(split)" + (against.map { "-vs-" + URL(fileURLWithPath: $0).lastPathComponent } ?? "")).path)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let document = RunSimilarityDocument(run: run, against: against, split: split, reference: against == nil ? "pretrained" : "run",
                                             architecture: fineTuned.backbone.architecture.rawValue, report: report)
        try RunFolder.writeAtomically(try AnalysisJSON.encode(document), to: folder.appendingPathComponent("similarity.json"))
        try RunFolder.writeAtomically(Data(CutPointSimilarity.csv(report).utf8), to: folder.appendingPathComponent("similarity.csv"))
        let title = "\(fineTuned.backbone.architecture.rawValue): \(against.map { "run \($0)" } ?? "pretrained") vs \(run), \(split) split"
        try SimilarityPage.make(title: title, report: report).write(to: folder.appendingPathComponent("similarity.html"))
        print("\(fineTuned.backbone.architecture.rawValue): \(against == nil ? "pretrained" : against!) vs \(run) on \(report.images) \(split) images")
        for cut in report.cuts {
            print("\(cut.cut) (\(cut.channels) channels, \(cut.spatialSizes.map { "\($0[0])×\($0[1])" }.joined(separator: " / ")))")
            for line in cut.comparison.summaryLines() { print("  " + line) }
        }
        print("Results: \(folder.appendingPathComponent("similarity.json").path)")
    }

    /// Streams up to `maxImages` images of the run's `split` (its own data and evaluation transform)
    /// through both networks and compares them at `cuts`.
    static func compare(trained: FinishedRun, first: any Backbone, second: any Backbone, cuts: [CutPoint], split: String,
                        maxImages: Int, options: SimilarityOptions, spatial: SpatialHandling, baselineDraws: Int,
                        seed: UInt64, device: Device) throws -> CutPointSimilarityReport {
        let splits = try trained.splits()
        let full: any ImageDataset = switch split {
        case "train": splits.train
        case "val": splits.validation
        default: splits.test
        }
        let set = full.count > maxImages ? full.subset(Array(0 ..< maxImages)) : full
        let loader = try DataLoader.evaluation(dataset: set, transform: try trained.evaluationTransform, batchSize: 64,
                                               workers: 2, onBadImage: trained.specification.data.onBadImage)
        return try CutPointSimilarity.analyze(first: first, second: second, cuts: cuts, options: options, spatial: spatial,
                                              baselineDraws: baselineDraws, seed: seed) { consume in
            var batches = loader.batches(epoch: 0)
            while let batch = try batches.next() { try consume(try batch.images.to(device: device)) }
        }
    }

    /// The run at `path`, which must have finished (its metrics.json says so).
    static func openFinished(_ path: String) throws -> FinishedRun { try asCommandError { try FinishedRun(path: path) } }
}

/// A run's fine-tuned weights in a backbone of its architecture, whatever the strategy's surgery: every
/// tensor of the trained network whose key and shape the backbone has is loaded, and a cut point counts as
/// shared when every tensor up to it came from the run (truncated and TransFusion networks keep the
/// cut points below their surgery).
struct FineTunedBackbone {
    let backbone: any Backbone
    let cutsWithWeights: Set<String>

    init(_ trained: FinishedRun, device: Device) throws {
        let network = try trained.network(weights: .best, device: .cpu)
        let backbone = try trained.specification.model.randomBackbone(classCount: trained.card.classNames.count,
                                                                inputChannels: trained.card.inputChannels)
        let shapes = Dictionary(uniqueKeysWithValues: try backbone.stateDict().entries.map { ($0.key, $0.tensor.shape) })
        let trainedState = try network.stateDict()
        let usable = try StateDict(trainedState.entries.filter { shapes[$0.key] == $0.tensor.shape }.map { ($0.key, $0.tensor) })
        try backbone.load(usable, policy: .lenient)
        let loaded = Set(usable.keys)
        var complete = Set<String>()
        var allLoaded = true
        for (index, link) in backbone.featureLinks.enumerated() {
            let keys = try link.layer.stateDict().keys.map { link.name + "." + $0 }
            allLoaded = allLoaded && keys.allSatisfy(loaded.contains)
            for cut in backbone.cutPoints where cut.linkCount == index + 1 && allLoaded { complete.insert(cut.name) }
        }
        try backbone.move(to: device)
        backbone.setMode(.evaluation)
        self.backbone = backbone
        cutsWithWeights = complete
    }
}

/// What `analyze similarity RUN` writes.
struct RunSimilarityDocument: Encodable {
    var run: String
    var against: String?
    var split: String
    /// "pretrained": the run's pretrained start; "run": the --against run's fine-tuned network.
    var reference: String
    var architecture: String
    var report: CutPointSimilarityReport
}
