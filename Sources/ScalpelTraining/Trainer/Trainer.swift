// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelMetrics
import Torch
import TorchNN
import TorchOptim

/// What a finished run produced.
public struct TrainingResult: Sendable {
    /// Test metrics (with confidence intervals) of the best checkpoint.
    public var test: MetricReport
    public var testPredictions: Predictions
    public var best: BestEpoch?
    public var history: [EpochRecord]
    public var folder: RunFolder
}

/// Runs a training plan's phases on a model and writes the run folder.
///
/// The model, the data and the configuration fully determine the run: the training order and each
/// sample's augmentation come from the seed and the epoch, libtorch's default generator is seeded by
/// the caller and saved in every checkpoint. So a run killed at any moment and continued with
/// `resume` ends with the same metrics as one that was never interrupted.
public final class Trainer {
    public let model: any Layer
    public let splits: DatasetSplits
    public let trainTransform: any Transform
    public let evaluationTransform: any Transform
    public let configuration: TrainingConfiguration
    public let folder: RunFolder
    public let device: Device
    /// The starting weights w⁰ by key, for phases with an L2-SP / L1-SP regularizer (the pretrained
    /// backbone's parameters; parameters without one, like a new head, get the β term).
    public var startingPoint: [String: Tensor] = [:]
    /// Averages gradients with the other processes of a data-parallel run (nil: this process alone).
    public var exchange: (any GradientExchange)?
    /// Whether this process writes the run folder (checkpoints, results, log). In a data-parallel run
    /// only rank 0 does; the others read its checkpoints to resume and to test the best epoch.
    public var writesRunFolder = true
    /// Receives progress; throwing from it stops the run (the last complete epoch is kept).
    public var observer: (TrainingEvent) throws -> Void = { _ in }
    /// The stop request checked at every batch boundary and after every epoch's checkpoint: the signal
    /// that asks the run to stop, or nil. By default SIGINT/SIGTERM received during the run (see
    /// ``Interruption``); tests give their own, since a process's signals reach every run in it.
    public var interruptionRequest: () -> Int32? = { Interruption.pendingSignal }

    public init(model: any Layer, splits: DatasetSplits, trainTransform: any Transform,
                evaluationTransform: any Transform, configuration: TrainingConfiguration, folder: RunFolder) throws {
        try configuration.validate()
        self.model = model
        self.splits = splits
        self.trainTransform = trainTransform
        self.evaluationTransform = evaluationTransform
        self.configuration = configuration
        self.folder = folder
        device = configuration.device
        try Self.checkData(splits)
    }

    static func checkData(_ splits: DatasetSplits) throws {
        for (name, set) in [("training", splits.train), ("validation", splits.validation), ("test", splits.test)] {
            guard set.count > 0 else { throw TrainingError.data("the \(name) set (\(set.source)) is empty") }
        }
        guard splits.train.classNames == splits.validation.classNames, splits.train.classNames == splits.test.classNames else {
            throw TrainingError.data("the training, validation and test sets name different classes: \(splits.train.classNames), \(splits.validation.classNames), \(splits.test.classNames)")
        }
    }

    /// Trains (or continues from the last checkpoint when `resume`), then evaluates the best
    /// checkpoint on the test set and writes `metrics.json` and `predictions.csv`.
    public func run(resume: Bool) throws -> TrainingResult {
        // Training runs (their evaluations and frozen-prefix caches included) stay unfused, so that a
        // cached run is bit-identical to the recomputed one and a resumed run to an uninterrupted one.
        // The fused kernels agree with the unfused ones to float rounding (≈1e-7 relative), but oneDNN
        // rounds differently at different batch sizes (the cache runs at the evaluation batch size)
        // and training amplifies rounding: on FeatureCacheTests' block-wise run the first step's loss
        // differs by 6e-7 and the second's by 7e-4 (Adam normalises tiny gradients to full steps).
        // Predict, evaluate, analyses and attacks fuse.
        do {
            return try Interruption.catching {
                try InferenceFusion.with(enabled: false) { try runUnfused(resume: resume) }
            }
        } catch let error as TorchError where error.kind == .outOfMemory {
            throw TrainingError.outOfMemory(error, during: activity, batchSize: configuration.batchSize)
        }
    }

    /// What the run is doing, for the out-of-memory message.
    private var activity = "preparing the run"

    /// Stops at a safe point when SIGINT or SIGTERM has arrived (see ``Interruption``).
    /// Data-parallel ranks stop together, at epoch ends only, when any of them was asked to (a rank
    /// stopping alone mid-epoch would leave the others waiting in a collective).
    private func checkInterruption(epoch: Int, batch: Int?) throws {
        var request = interruptionRequest()
        if let exchange, exchange.worldSize > 1 {
            guard batch == nil else { return }
            let asking = try exchange.sum([request == nil ? 0 : 1])[0]
            if asking > 0, request == nil { request = SIGTERM }
        }
        guard let signal = request else { return }
        let place = batch.map { "in epoch \(epoch) before batch \($0)" } ?? "after epoch \(epoch)"
        let saved = FileManager.default.fileExists(atPath: folder.lastCheckpointURL.path)
            ? "the last complete epoch is saved in \(folder.lastCheckpointURL.path); continue with the same command and --resume"
            : "no epoch had completed, so nothing is saved; run the command again"
        log("interrupted by \(Interruption.name(of: signal)) \(place)")
        throw TrainingError.interrupted("interrupted by \(Interruption.name(of: signal)) \(place): \(saved)", signal: signal)
    }

    private func runUnfused(resume: Bool) throws -> TrainingResult {
        let c = configuration
        if c.phases.contains(where: { $0.regularizer != nil }), startingPoint.isEmpty {
            throw TrainingError.invalidOption("a phase has an L2-SP/L1-SP regularizer but the trainer was given no starting weights")
        }
        startingPoint = try startingPoint.mapValues { try $0.to(device: device) }
        let step = try TrainingStep(device: device, memoryFormat: c.channelsLast ? .channelsLast : .contiguous,
                                    precision: c.precision, exchange: exchange)
        try step.prepare(model)
        var state = TrainerState()
        var pendingOptimizer: OptimizerState?
        if resume, FileManager.default.fileExists(atPath: folder.lastCheckpointURL.path) {
            let checkpoint = try Checkpoint.load(from: folder.lastCheckpointURL)
            do {
                try model.load(checkpoint.model)
            } catch {
                throw TrainingError.checkpoint("\(folder.lastCheckpointURL.path) does not fit this model: \(error); was the configuration changed? Start over with --force")
            }
            if let generator = checkpoint.generator { try TorchRuntime.setDefaultGeneratorState(generator) }
            state = checkpoint.state
            try step.restoreLossScaler(state.lossScaler)
            pendingOptimizer = checkpoint.optimizer
            log("resumed after epoch \(state.completedEpochs)")
            try observer(.resumed(completedEpochs: state.completedEpochs))
        } else {
            log("started: \(c.phases.count) phase(s), at most \(c.maximumEpochs) epoch(s), seed \(c.seed)"
                + (c.precision == .fp32 ? "" : ", precision \(c.precision)")
                + ((exchange?.worldSize ?? 1) > 1 ? ", \(exchange!.worldSize) processes" : ""))
        }

        let shard = try exchange.map { try LoaderShard(rank: $0.rank, count: $0.worldSize) } ?? .whole
        if shard.count > 1, c.cacheFrozenPrefix {
            log("data-parallel run: the frozen bottom is recomputed every step (feature caching is single-process only)")
        }
        let restarted = writesRunFolder && TensorBoardWriter.holdsEvents(folder.tensorboardURL)
        let board = writesRunFolder ? try TensorBoardWriter(directory: folder.tensorboardURL) : nil
        if restarted { try board?.writeSessionStart(step: state.completedEpochs + 1) }

        // A last training batch of one image fails in BatchNorm (one value per channel): leave it out, as
        // PyTorch users do with drop_last; it is a different image each epoch.
        let loneLastImage = splits.train.count > 1 && splits.train.count % c.batchSize == 1
        let trainLoader = try DataLoader(dataset: splits.train, transform: trainTransform, batchSize: c.batchSize,
                                         shuffle: true, dropLast: loneLastImage, seed: c.seed, workers: c.loaderWorkers,
                                         prefetchBatches: 4, onBadImage: c.onBadImage, shard: shard)
        let validationLoader = try DataLoader.evaluation(dataset: splits.validation, transform: evaluationTransform,
                                                         batchSize: c.evaluationBatchSize, workers: c.loaderWorkers,
                                                         onBadImage: c.onBadImage)
        let loss = try TaskLoss(task: splits.train.task, weighting: c.classWeighting, classCounts: splits.train.classCounts,
                                sampleCount: splits.train.count, device: device)

        while state.phaseIndex < c.phases.count {
            let phase = c.phases[state.phaseIndex]
            let setup = try PhaseSetup(phase, model: model)
            let optimizer = try setup.makeOptimizer()
            if let pending = pendingOptimizer, state.epochInPhase > 0 {
                try optimizer.load(stateDict: pending)
            }
            pendingOptimizer = nil
            var scheduler = try LearningRateScheduler(phase.schedule, baseRates: setup.baseRates, epochs: phase.epochs,
                                                      stepsPerEpoch: max(trainLoader.batchCount, 1), maximize: c.monitor.maximize)
            if state.epochInPhase > 0 { scheduler.state = state.scheduler }
            let cacheStart = Date()
            activity = "caching the frozen bottom's features"
            let cache = try makeCache(setup: setup)
            if cache != nil { state.trainingSeconds += Date().timeIntervalSince(cacheStart) }
            log("phase \(phase.name): \(setup.trainableCount) trainable parameters, \(setup.groups.count) group(s)"
                       + (cache.map { ", frozen bottom (\($0.prefixLinks) links) cached for \($0.train.count) + \($0.validation.count) images" } ?? ""))
            try observer(.phaseStarted(name: phase.name, index: state.phaseIndex, count: c.phases.count, epochs: phase.epochs,
                                       trainableParameters: setup.trainableCount))
            var ending = "completed \(phase.epochs) epoch(s)"
            while state.epochInPhase < phase.epochs {
                let record = try trainEpoch(phase: phase, setup: setup, step: step, optimizer: optimizer, scheduler: scheduler,
                                            loader: trainLoader, validationLoader: validationLoader, loss: loss,
                                            cache: cache, state: &state)
                let monitored = record.value(of: c.monitor)
                let floorReached = scheduler.endEpoch(validationValue: monitored)
                let stopEarly = state.earlyStopping.update(monitored, options: phase.earlyStopping, maximize: c.monitor.maximize)
                state.epochInPhase += 1
                state.completedEpochs += 1
                state.scheduler = scheduler.state
                var isBest = false
                if let monitored, monitored.isFinite,
                   state.best.map({ c.monitor.maximize ? monitored > $0.value : monitored < $0.value }) ?? true {
                    state.best = BestEpoch(epoch: record.epoch, phase: phase.name, metric: c.monitor, value: monitored)
                    if writesRunFolder { try Checkpoint.saveWeights(of: model, to: folder.bestCheckpointURL, best: state.best!) }
                    isBest = true
                }
                state.history.append(record)
                if floorReached { ending = "learning rate below \(Self.stopBelow(phase) ?? 0) after \(state.epochInPhase) epoch(s)" }
                if stopEarly { ending = "early stopping after \(state.epochInPhase) epoch(s) (no \(c.monitor.rawValue) improvement for \(phase.earlyStopping!.patience))" }
                let phaseOver = floorReached || stopEarly || state.epochInPhase >= phase.epochs
                if phaseOver {
                    state.phaseEndings.append("\(phase.name): \(ending)")
                    state.phaseIndex += 1
                    state.epochInPhase = 0
                    state.scheduler = LearningRateScheduler.State()
                    state.earlyStopping = EarlyStoppingState()
                }
                state.lossScaler = step.scaler?.state
                if writesRunFolder {
                    // Before the checkpoint: an epoch repeated after a crash here is dropped by the resume's START marker.
                    try board?.write(TensorBoardWriter.scalars(of: record), step: record.epoch)
                    try Checkpoint.save(to: folder.lastCheckpointURL, model: model, optimizer: phaseOver ? nil : optimizer, state: state)
                    try RunResults(state: state, test: nil, testLoss: nil, testSkipped: [], checkpoint: nil, monitor: c.monitor)
                        .write(to: folder)
                }
                // The other processes read rank 0's checkpoints only after it has written them.
                if let exchange, exchange.worldSize > 1 { try exchange.barrier() }
                log(Self.describe(record) + (isBest ? " (best)" : ""))
                try observer(.epochFinished(record, isBest: isBest))
                if !(phaseOver && state.phaseIndex == c.phases.count) { try checkInterruption(epoch: record.epoch, batch: nil) }
                if phaseOver { break }
            }
            log("phase \(phase.name) ended: \(ending)")
            try observer(.phaseEnded(name: phase.name, reason: ending))
        }
        activity = "testing the best epoch"
        let result = try finish(state: state)
        try board?.write(TensorBoardWriter.scalars(ofTest: result.test, loss: result.testPredictions.loss),
                        step: state.completedEpochs)
        return result
    }

    private func log(_ line: String) {
        if writesRunFolder { folder.log(line) }
    }

    private static func stopBelow(_ phase: TrainingPhase) -> Double? {
        if case .plateau(let options) = phase.schedule { return options.stopBelow }
        return nil
    }

    /// One epoch: training steps over the shuffled training set, then validation.
    private func trainEpoch(phase: TrainingPhase, setup: PhaseSetup, step trainingStep: TrainingStep, optimizer: any Optimizer,
                            scheduler: LearningRateScheduler,
                            loader: DataLoader, validationLoader: DataLoader, loss: TaskLoss,
                            cache: PhaseCache?, state: inout TrainerState) throws -> EpochRecord {
        let c = configuration
        let epoch = state.completedEpochs + 1
        let totalEpochs = state.completedEpochs - state.epochInPhase + phase.epochs
            + c.phases.dropFirst(state.phaseIndex + 1).reduce(0) { $0 + $1.epochs }
        setup.setTrainingMode(model)
        let start = Date()
        var steps = try StepSource(loader: loader, epoch: state.completedEpochs, cache: cache?.train, device: device,
                                   channelsLast: c.channelsLast)
        let forward: (Tensor) throws -> Tensor = cache?.top ?? { [model] in try model($0) }
        var lossSum = 0.0, seen = 0, step = 0
        var rates = setup.baseRates
        let batchCount = loader.batchCount
        activity = "training epoch \(epoch)"
        while true {
            try checkInterruption(epoch: epoch, batch: step + 1)
            guard let batch = try steps.next() else { break }
            if !batch.skipped.isEmpty {
                state.skipped += batch.skipped
                batch.skipped.forEach { log("skipped image \($0)") }
                try observer(.imagesSkipped(batch.skipped))
            }
            guard batch.count > 0 else { continue }
            rates = scheduler.learningRates(epoch: state.epochInPhase, step: state.epochInPhase * batchCount + step)
            for (group, rate) in rates.enumerated() { try optimizer.setLearningRate(rate, forGroup: group) }
            let outcome: TrainingStep.Outcome
            do {
                outcome = try trainingStep(
                    input: batch.input, forward: forward, loss: { try loss(logits: $0, targets: batch.targets) },
                    samples: batch.count,
                    penalty: { [startingPoint] in
                        try phase.regularizer?.penalty(setup.trainableParameters, startingPoint: startingPoint)
                    },
                    optimizer: optimizer, parameters: setup.trainable, clipNorm: phase.gradientClipNorm,
                    adjustRates: {
                        guard phase.learningRatePolicy == .autoRGN else { return }
                        rates = try setup.autoRGNRates(scheduled: rates)
                        for (group, rate) in rates.enumerated() { try optimizer.setLearningRate(rate, forGroup: group) }
                    })
            } catch let error as TrainingStep.NonFiniteLoss {
                throw TrainingError.divergence("the training loss became \(error.value)", epoch: epoch, batch: step + 1,
                                               learningRates: rates, folder: folder)
            }
            let scalar = outcome.loss
            lossSum += scalar * Double(batch.count)
            seen += batch.count
            step += 1
            let elapsed = Date().timeIntervalSince(start)
            let rate = Double(seen) / max(elapsed, 1e-9)
            try observer(.batchFinished(epoch: epoch, totalEpochs: totalEpochs, batch: step, batches: batchCount,
                                        loss: lossSum / Double(seen), imagesPerSecond: rate,
                                        eta: Double(batchCount - step) * elapsed / Double(step)))
        }
        if let exchange, exchange.worldSize > 1 {
            // The epoch's loss over every process's samples; BatchNorm statistics (which each process
            // gathers from its own samples) from rank 0, so that all evaluate the same model.
            let totals = try exchange.sum([lossSum, Double(seen)])
            lossSum = totals[0]
            seen = Int(totals[1])
            try exchange.broadcastFromRoot(model.buffers().map(\.tensor))
        }
        guard seen > 0 else {
            throw TrainingError.data("epoch \(epoch): no training image could be used (all were skipped); see log.txt")
        }
        let trainingSeconds = Date().timeIntervalSince(start)
        state.trainingSeconds += trainingSeconds
        activity = "validating after epoch \(epoch)"
        let validation: Predictions
        if let cache {
            var steps = try StepSource(loader: validationLoader, epoch: 0, cache: cache.validation, device: device,
                                       channelsLast: c.channelsLast)
            validation = try Predictions.collect(model: model, steps: &steps, forward: cache.top,
                                                 dataset: splits.validation, loss: loss)
        } else {
            validation = try Predictions.collect(model: model, loader: validationLoader, device: device,
                                                 channelsLast: c.channelsLast, loss: loss)
        }
        if !validation.skipped.isEmpty { state.skipped += validation.skipped.map { "validation: \($0)" } }
        let report: MetricReport
        do {
            report = try MetricReport(validation)
        } catch let error as MetricError where error.kind == .nonFiniteScore {
            throw TrainingError.divergence("the model's validation outputs are not numbers (\(error.message))", epoch: epoch,
                                           batch: nil, learningRates: rates, folder: folder)
        }
        var metrics: [String: Double?] = [:]
        for (name, value) in report.metrics { metrics[name] = value.value }
        return EpochRecord(epoch: epoch, phase: phase.name, trainingLoss: lossSum / Double(seen),
                           validationLoss: validation.loss, validation: metrics, learningRates: rates,
                           seconds: Date().timeIntervalSince(start), imagesPerSecond: Double(seen) / max(trainingSeconds, 1e-9))
    }

    /// A phase's frozen-bottom features for the training and validation sets, and the model above them.
    struct PhaseCache {
        let prefixLinks: Int
        let train: FeatureCache
        let validation: FeatureCache
        let top: (Tensor) throws -> Tensor
    }

    /// Computes the frozen prefix's features when caching is on and the phase has a frozen bottom.
    private func makeCache(setup: PhaseSetup) throws -> PhaseCache? {
        let c = configuration
        guard c.cacheFrozenPrefix, (exchange?.worldSize ?? 1) == 1 else { return nil }
        setup.setTrainingMode(model)
        guard let prefix = FrozenPrefix.of(model) else { return nil }
        let train = try FeatureCache(
            prefix: prefix,
            loader: try DataLoader.evaluation(dataset: splits.train, transform: trainTransform, batchSize: c.evaluationBatchSize,
                                              workers: c.loaderWorkers, onBadImage: c.onBadImage),
            device: device, channelsLast: c.channelsLast, limitBytes: c.featureCacheLimitBytes)
        let validation = try FeatureCache(
            prefix: prefix,
            loader: try DataLoader.evaluation(dataset: splits.validation, transform: evaluationTransform,
                                              batchSize: c.evaluationBatchSize, workers: c.loaderWorkers, onBadImage: c.onBadImage),
            device: device, channelsLast: c.channelsLast, limitBytes: c.featureCacheLimitBytes - train.features.elementCount * 4)
        return PhaseCache(prefixLinks: prefix.links.count, train: train, validation: validation, top: prefix.top)
    }

    /// Evaluates the best checkpoint (or the final weights when no epoch had a defined metric) on the
    /// test set and writes metrics.json and predictions.csv.
    private func finish(state: TrainerState) throws -> TrainingResult {
        let c = configuration
        var checkpoint = "final weights"
        if state.best != nil, FileManager.default.fileExists(atPath: folder.bestCheckpointURL.path) {
            let weights = try SafeTensors.read(contentsOf: folder.bestCheckpointURL).tensors
            try model.load(weights)
            checkpoint = "best epoch \(state.best!.epoch)"
        }
        try observer(.testing(checkpoint: checkpoint))
        let testLoader = try DataLoader.evaluation(dataset: splits.test, transform: evaluationTransform,
                                                   batchSize: c.evaluationBatchSize, workers: c.loaderWorkers,
                                                   onBadImage: c.onBadImage)
        let loss = try TaskLoss(task: splits.train.task, weighting: .none, classCounts: splits.train.classCounts,
                                sampleCount: splits.train.count, device: device)
        let predictions = try Predictions.collect(model: model, loader: testLoader, device: device,
                                                  channelsLast: c.channelsLast, loss: loss)
        let report = try MetricReport(predictions, resamples: c.bootstrapResamples, seed: c.seed)
        if writesRunFolder {
            try RunResults(state: state, test: report, testLoss: predictions.loss, testSkipped: predictions.skipped,
                           checkpoint: checkpoint, monitor: c.monitor).write(to: folder)
            try RunFolder.writeAtomically(Data(predictions.csv().utf8), to: folder.predictionsURL)
        }
        log("finished: test " + ["auroc", "auprc", "accuracy"].compactMap { name in
            report.metrics[name]?.value.map { "\(name) \(String(format: "%.4f", $0))" }
        }.joined(separator: ", "))
        return TrainingResult(test: report, testPredictions: predictions, best: state.best, history: state.history, folder: folder)
    }

    static func describe(_ record: EpochRecord) -> String {
        let metrics = ["auroc", "auprc", "accuracy"].compactMap { name in
            record.validation[name].flatMap { $0 }.map { "\(name) \(String(format: "%.4f", $0))" }
        }
        return "epoch \(record.epoch) [\(record.phase)]: train loss \(String(format: "%.4f", record.trainingLoss)), "
            + "val loss \(record.validationLoss.map { String(format: "%.4f", $0) } ?? "-"), val " + metrics.joined(separator: ", ")
            + String(format: ", %.0f img/s", record.imagesPerSecond)
    }
}

extension EpochRecord {
    /// The validation value of `metric`.
    func value(of metric: MonitoredMetric) -> Double? {
        metric == .loss ? validationLoss : validation[metric.rawValue].flatMap { $0 }
    }
}
