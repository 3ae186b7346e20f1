// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import ScalpelTraining
import Torch

/// Trains one run specification into a run folder: builds the backbone and the strategy's network,
/// writes `config.yaml` and `model.json`, and runs the trainer (resuming from the last checkpoint
/// when asked).
public struct RunExecution {
    public var specification: RunSpecification
    /// Continue an unfinished run in the folder (its specification must be the same).
    public var resume: Bool
    /// Overwrite a finished or unfinished run in the folder.
    public var force: Bool
    /// The other processes of a data-parallel run (nil: one process); only rank 0 writes the folder.
    public var exchange: (any GradientExchange)?
    private var isLeader: Bool { (exchange?.rank ?? 0) == 0 }

    public init(_ specification: RunSpecification, resume: Bool = false, force: Bool = false) {
        self.specification = specification
        self.resume = resume
        self.force = force
    }

    /// The header of every `config.yaml`.
    public static let configHeader = """
        Scalpel run specification (version \(RunSpecification.currentVersion)): what this run is.
        scalpel train --config THIS_FILE repeats it; --resume continues it only with the same fields.
        """

    /// Trains into `folder` with the data already read; `note` receives progress lines, `observer` the
    /// trainer's events.
    public func run(data: RunData, folder: URL, note: (String) -> Void = { _ in },
                    observer: @escaping (TrainingEvent) -> Void = { _ in }) throws -> TrainingResult {
        // Everything that can be wrong with the specification is found before the run folder is
        // touched, so a mistake never leaves a folder that blocks the corrected command.
        try specification.validate()
        let model = specification.model, runtime = specification.runtime
        let device: Device
        do { device = try Device(parsing: runtime.device) } catch let error as TorchError {
            throw ExperimentError("--device: \(error.message)")
        }
        let architecture = try model.resolvedArchitecture()
        let seed = runtime.seed
        // The run's thread count holds while it trains; the caller's comes back after (a sweep run in-process
        // must not change what the next computation in the process gets).
        let callerThreads = TorchRuntime.threadCount
        defer { try? TorchRuntime.configure(threads: callerThreads) }
        try TorchRuntime.configure(seed: seed, threads: runtime.threads)
        let splits = data.splits
        let size = try model.resolvedImageSize(nativeSize: data.nativeSize)
        let strategy = try specification.strategy.transferStrategy()
        let classCount = data.classCount
        var loadReport: [String] = []
        let backbone = try model.buildBackbone(classCount: classCount, inputChannels: data.channels, seed: seed,
                                               report: { loadReport.append($0) })
        let network = try specification.makeNetwork(from: backbone, classCount: classCount)
        let base = try specification.training.basePhase(name: specification.strategy.name)
        let configuration = TrainingConfiguration(
            phases: try specification.strategy.phases(model: network, backbone: backbone, base: base), seed: seed,
            batchSize: specification.training.batchSize, loaderWorkers: runtime.workers,
            monitor: try specification.training.monitoredMetric(), classWeighting: try specification.training.classWeighting(),
            onBadImage: specification.data.onBadImage, bootstrapResamples: runtime.bootstrap, device: device,
            precision: specification.runtime.precision, channelsLast: device == .cpu, cacheFrozenPrefix: try cachesFeatures())
        try configuration.validate()
        _ = try TaskLoss(task: splits.train.task, weighting: configuration.classWeighting, classCounts: splits.train.classCounts,
                         sampleCount: splits.train.count, device: .cpu)
        let trainTransform = try model.trainingTransform(size: size, channels: data.channels)
        let evaluationTransform = try model.evaluationTransform(size: size, channels: data.channels)

        // One writer per run folder: a second process on it gets an error naming this one's pid.
        let lock = isLeader ? try FolderLock(folder, purpose: "the run folder") : nil
        defer { lock?.release() }
        let run = isLeader ? try RunFolder.prepare(folder, resume: resume, force: force) : RunFolder(folder)
        if isLeader {
            if resume, FileManager.default.fileExists(atPath: run.configURL.path) {
                let saved = try RunSpecification(contentsOf: run.configURL)
                try Self.checkSameRun(saved: saved, new: specification, file: run.configURL.path)
            }
            try specification.write(to: run.configURL, header: Self.configHeader)
            for line in loadReport {
                note(line)
                run.log(line)
            }
            try ModelCard(architecture: architecture.rawValue, task: splits.train.task, classNames: splits.train.classNames,
                          inputChannels: data.channels, imageSize: size).write(to: run.url)
        }
        // The other ranks read the folder (to resume) only once rank 0 has prepared it.
        try exchange?.barrier()
        let trainer = try Trainer(model: network, splits: splits, trainTransform: trainTransform,
                                  evaluationTransform: evaluationTransform, configuration: configuration, folder: run)
        trainer.startingPoint = try strategy.startingPoint(model: network, backbone: backbone)
        trainer.observer = observer
        trainer.exchange = exchange
        trainer.writesRunFolder = isLeader
        let result = try trainer.run(resume: resume)
        // Rank 0 has written the results before any rank reads them.
        try exchange?.barrier()
        return result
    }

    /// Whether frozen-bottom features are cached: never with augmentation (each epoch's images differ).
    public func cachesFeatures() throws -> Bool {
        switch specification.runtime.cacheFeatures {
        case .off: return false
        case .auto: return specification.model.augment == .none
        case .on:
            guard specification.model.augment == .none else {
                throw ExperimentError("--cache-features on needs --augment none: augmented images differ every epoch, so their features cannot be reused")
            }
            return true
        }
    }

    /// A finished run that `--resume` would read back must be the run asked for: its `config.yaml` equal
    /// to `specification` in every field, else an error naming each changed field and the ways out (so
    /// changed options never silently return the old results). A folder without `config.yaml` passes.
    public static func checkFinishedRun(_ specification: RunSpecification, in folder: URL) throws {
        let file = RunFolder(folder).configURL
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let changed = try specification.differences(from: try RunSpecification(contentsOf: file))
        guard changed.isEmpty else {
            throw ExperimentError("--resume: the finished run in \(RunFolder(folder).url.path) was trained with other options (\(changed.joined(separator: ", "))), so its results are not this command's; pass --force to train it again with the new options, choose another --output, or repeat the options of its config.yaml to read it back")
        }
    }

    /// A resumed run must continue the same experiment: every field equal, each changed one named.
    public static func checkSameRun(saved: RunSpecification, new: RunSpecification, file: String) throws {
        let changed = try new.differences(from: saved)
        guard changed.isEmpty else {
            throw ExperimentError("--resume: the run differs from its \(file) (\(changed.joined(separator: ", "))); resume with the same options, or start over with --force")
        }
    }
}
