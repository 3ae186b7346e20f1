// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import ScalpelTraining
import Torch

/// What a trained model needs to be used again: written to `model.json` in the run folder.
struct ModelCard: Codable, Equatable {
    var architecture: String
    var task: ClassificationTask
    var classNames: [String]
    var inputChannels: Int
    var imageSize: Int

    static func read(from folder: URL) throws -> ModelCard {
        let url = folder.appendingPathComponent("model.json")
        do {
            return try JSONDecoder().decode(ModelCard.self, from: Data(contentsOf: url))
        } catch {
            throw CommandError("\(url.path): cannot read the run's model description (\(error.localizedDescription)); is \(folder.path) a finished training run?")
        }
    }

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunFolder.writeAtomically(try encoder.encode(self), to: folder.appendingPathComponent("model.json"))
    }
}

/// One training run of `scalpel train` (or the demo): data, model, trainer, run folder.
struct TrainingSession {
    var data: DataOptions
    var model: ModelOptions
    var training: TrainingOptions
    var output: OutputOptions
    var device: Device
    /// The resolved options, written as config.yaml.
    var resolvedConfiguration: [(String, String?)]
    /// Precision and, in a data-parallel run, the process group (only its rank 0 writes the run folder).
    var scale = ScaleContext()

    /// The data, read once for every seed.
    struct PreparedData {
        var splits: DatasetSplits
        var description: String
        var channels: Int
        var nativeSize: Int
    }

    static func prepareData(_ data: DataOptions, splitSeed: UInt64, reporter: ProgressReporter) throws -> PreparedData {
        let loaded = try data.loadSplits(seed: splitSeed, warn: { reporter.note("warning: " + $0) })
        let train = loaded.splits.train
        guard train.count > 0 else { throw CommandError("--data: the training set of \(train.source) is empty") }
        var first: DecodedImage?
        for index in 0..<min(train.count, 16) {
            if let image = try? train.image(index) { first = image; break }
        }
        guard let first else {
            throw CommandError("--data: none of the first training images of \(train.source) can be read (first: \(train.sampleID(0)))")
        }
        let channels = first.channels >= 3 ? 3 : 1
        return PreparedData(splits: loaded.splits, description: loaded.description, channels: channels,
                            nativeSize: min(first.width, first.height))
    }

    /// Trains with `seed` into `folder`.
    func run(prepared: PreparedData, seed: UInt64, folder: URL, reporter: ProgressReporter) throws -> TrainingResult {
        // Everything that can be wrong with the options is found before the run folder is touched, so a
        // mistake never leaves a folder that blocks the corrected command.
        let architecture = try model.architecture()
        try TorchRuntime.configure(seed: seed)
        let splits = prepared.splits
        let size = try model.resolvedImageSize(nativeSize: prepared.nativeSize)
        let strategy = try training.transferStrategy()
        let classCount = splits.train.classNames.count
        var loadReport: [String] = []
        let backbone = try model.buildBackbone(classCount: classCount, inputChannels: prepared.channels, seed: seed,
                                               report: { loadReport.append($0) })
        let network = try strategy.makeModel(from: backbone, classCount: classCount, generator: try Generator(seed: seed &+ 1))
        let configuration = TrainingConfiguration(
            phases: try training.phases(strategy, model: network, backbone: backbone), seed: seed,
            batchSize: training.batchSize, loaderWorkers: training.workers, monitor: try MonitoredMetric(named: training.monitor),
            classWeighting: try training.classWeighting(), onBadImage: data.onBadImage,
            bootstrapResamples: training.bootstrap, device: device, precision: scale.precision,
            channelsLast: device == .cpu,
            cacheFrozenPrefix: try cachesFeatures())
        try configuration.validate()
        _ = try TaskLoss(task: splits.train.task, weighting: configuration.classWeighting, classCounts: splits.train.classCounts,
                         sampleCount: splits.train.count, device: .cpu)
        let trainTransform = try model.trainingTransform(size: size, channels: prepared.channels)
        let evaluationTransform = try model.evaluationTransform(size: size, channels: prepared.channels)

        let run = scale.isLeader ? try RunFolder.prepare(folder, resume: output.resume, force: output.force) : RunFolder(folder)
        if scale.isLeader {
            let configText = ConfigFile.yaml(resolvedConfiguration + [("seed", String(seed))],
                                             header: "Scalpel \(ScalpelVersion.current): the resolved options of this run.\nscalpel train --config THIS_FILE repeats it.")
            if output.resume, let saved = try? String(contentsOf: run.configURL, encoding: .utf8) {
                try Self.checkSameConfiguration(saved: saved, new: configText, file: run.configURL.path)
            }
            try RunFolder.writeAtomically(Data(configText.utf8), to: run.configURL)
            for line in loadReport {
                reporter.note(line)
                run.log(line)
            }
            try ModelCard(architecture: architecture.rawValue, task: splits.train.task, classNames: splits.train.classNames,
                          inputChannels: prepared.channels, imageSize: size).write(to: run.url)
        }
        // The other ranks read the folder (to resume) only once rank 0 has prepared it.
        try scale.group?.barrier()
        let trainer = try Trainer(model: network, splits: splits, trainTransform: trainTransform,
                                  evaluationTransform: evaluationTransform, configuration: configuration, folder: run)
        trainer.startingPoint = try strategy.startingPoint(model: network, backbone: backbone)
        trainer.observer = { reporter($0) }
        trainer.exchange = scale.group
        trainer.writesRunFolder = scale.isLeader
        let result = try trainer.run(resume: output.resume)
        // Rank 0 has written the results before any rank reads them.
        try scale.group?.barrier()
        return result
    }

    /// Whether frozen-bottom features are cached: never with augmentation (each epoch's images differ).
    func cachesFeatures() throws -> Bool {
        switch training.cacheFeatures {
        case .off: return false
        case .auto: return model.augment == .none
        case .on:
            guard model.augment == .none else {
                throw CommandError("--cache-features on needs --augment none: augmented images differ every epoch, so their features cannot be reused")
            }
            return true
        }
    }

    /// A resumed run must continue the same experiment: every option but the output controls equal.
    static func checkSameConfiguration(saved: String, new: String, file: String) throws {
        let ignored: Set<String> = ["resume", "force", "quiet", "json-lines", "output"]
        func options(_ text: String) -> [String: String] {
            var result: [String: String] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, !ignored.contains(parts[0]) { result[parts[0]] = parts[1] }
            }
            return result
        }
        let old = options(saved), current = options(new)
        let changed = Set(old.keys).union(current.keys).filter { old[$0] != current[$0] }.sorted()
        guard changed.isEmpty else {
            let details = changed.map { "\($0): \(old[$0] ?? "(unset)") → \(current[$0] ?? "(unset)")" }.joined(separator: ", ")
            throw CommandError("--resume: the options differ from the run's \(file) (\(details)); resume with the same options, or start over with --force")
        }
    }
}
