// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import ScalpelTraining
import Torch
import TorchNN

/// A run folder of `scalpel train` opened again — for evaluation, prediction, analyses, attacks and
/// reports: its specification (`config.yaml`), model description (`model.json`), results
/// (`metrics.json`), network with its trained weights, starting weights, preprocessing and data.
///
/// ```swift
/// let run = try FinishedRun(at: URL(fileURLWithPath: "runs/pneumonia-full"))
/// let network = try run.network(weights: .best, device: .cpu)      // evaluation mode
/// let splits = try run.splits()                                   // same data, same split seed
/// let loader = try DataLoader.evaluation(dataset: splits.test, transform: try run.evaluationTransform,
///                                        batchSize: 128, workers: 2, onBadImage: .fail)
/// ```
///
/// Opening never writes to the folder.
public struct FinishedRun {
    public let folder: RunFolder
    /// What the run is (data, model, strategy, training, runtime), from `config.yaml`.
    public let specification: RunSpecification
    /// Architecture, task, class names, input channels and image size, from `model.json`.
    public let card: ModelCard
    /// History, best epoch and test metrics, from `metrics.json`.
    public let results: RunResults

    public var url: URL { folder.url }

    /// Opens the run in `url`.
    ///
    /// - Parameter allowUnfinished: also open a run that has checkpointed at least one epoch but not
    ///   finished (its results then hold the history so far and no test metrics).
    /// - Throws: ``ExperimentError`` naming the folder or file and the fix: not a run folder, an
    ///   unfinished run, an unreadable `config.yaml`, `model.json` or `metrics.json`.
    public init(at url: URL, allowUnfinished: Bool = false) throws {
        folder = RunFolder(url)
        let path = folder.url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ExperimentError("\(path): no such folder; give the folder of a `scalpel train` run")
        }
        guard FileManager.default.fileExists(atPath: folder.configURL.path) else {
            let seeds = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("seed-") }.sorted()
            let hint = seeds.isEmpty ? "(for several seeds: RUN/seed-N)" : "this folder holds several seeds: give one of \(seeds.map { "\(path)/\($0)" }.joined(separator: ", "))"
            throw ExperimentError("\(path): no config.yaml, so not the folder of a `scalpel train` run; give a run folder \(hint)")
        }
        do {
            specification = try RunSpecification(contentsOf: folder.configURL)
        } catch let error as ExperimentError {
            throw ExperimentError("cannot reopen the run: \(error.description); fix the file or train the run again")
        }
        guard FileManager.default.fileExists(atPath: folder.metricsURL.path) else {
            throw ExperimentError("\(path): unfinished run, no epoch completed (no metrics.json); continue it with `scalpel train --config \(folder.configURL.path) --output \(path) --resume`")
        }
        do {
            results = try RunResults(contentsOf: folder.metricsURL)
        } catch let error as TrainingError {
            throw ExperimentError("\(error.description); the run's metrics.json is damaged: train the run again with --force")
        }
        if results.status != .finished, !allowUnfinished {
            throw ExperimentError("\(path): unfinished run (\(results.history.count) epoch(s) done, metrics.json status 'running'); continue it with `scalpel train --config \(folder.configURL.path) --output \(path) --resume`")
        }
        card = try ModelCard.read(from: folder.url)
    }

    /// ``init(at:allowUnfinished:)`` from a path.
    public init(path: String, allowUnfinished: Bool = false) throws {
        try self.init(at: URL(fileURLWithPath: path), allowUnfinished: allowUnfinished)
    }

    /// The strategy's network (after its surgery: truncation, slimmed tops, new heads) with the run's
    /// best or last weights, in evaluation mode, on `device`. Input: float32 `[N, inputChannels,
    /// imageSize, imageSize]` prepared by ``evaluationTransform``; output: logits `[N, classes]`.
    public func network(weights: RunFolder.Weights = .best, device: Device = .cpu) throws -> any Layer {
        let backbone = try specification.model.randomBackbone(classCount: card.classNames.count, inputChannels: card.inputChannels)
        let network = try specification.strategy.transferStrategy()
            .makeModel(from: backbone, classCount: card.classNames.count, generator: try Generator(seed: 0))
        do {
            try network.load(try folder.modelWeights(weights))
        } catch let error as TrainingError {
            throw ExperimentError(error.description)
        } catch {
            throw ExperimentError("\(folder.url.path): the \(weights.rawValue) checkpoint does not fit \(card.architecture): \(error)")
        }
        try network.move(to: device)
        network.setMode(.evaluation)
        return network
    }

    /// The backbone the run started from, before any training and strategy surgery: the pretrained
    /// weights it fine-tuned (e.g. ImageNet), or for runs trained from scratch the random weights of
    /// the run's seed — with the first convolution adapted to the run's channels and the classifier
    /// sized to its classes. In evaluation mode, on `device`.
    public func pretrainedBackbone(device: Device = .cpu) throws -> any Backbone {
        let backbone = try specification.model.buildBackbone(classCount: card.classNames.count, inputChannels: card.inputChannels,
                                                             seed: specification.runtime.seed)
        try backbone.move(to: device)
        backbone.setMode(.evaluation)
        return backbone
    }

    /// The run's evaluation preprocessing: decoded image → float32 `[inputChannels, imageSize, imageSize]`.
    public var evaluationTransform: any Transform {
        get throws { try specification.model.evaluationTransform(size: card.imageSize, channels: card.inputChannels) }
    }

    /// The run's own train/validation/test sets (same source, same split seed), or those of another
    /// `source` read the same way; their classes must be the run's.
    public func splits(source: String? = nil, warn: (String) -> Void = { _ in }) throws -> DatasetSplits {
        var data = specification.data
        if let source { data.source = source }
        let splits = try data.loadSplits(warn: warn).splits
        guard splits.train.classNames == card.classNames else {
            throw ExperimentError("\(splits.train.source) has classes \(splits.train.classNames), but the run in \(url.path) was trained on \(card.classNames)")
        }
        return splits
    }
}
