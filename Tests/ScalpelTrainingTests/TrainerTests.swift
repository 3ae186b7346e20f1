// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import Testing
import Torch
import TorchNN
@testable import ScalpelTraining

/// A small CNN: conv–BN–ReLU, global average pooling, a linear head.
final class TinyNet: Layer {
    let features: Sequential
    let head: Linear

    init(seed: UInt64) throws {
        let generator = try Generator(seed: seed)
        features = Sequential([
            try Conv2d(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, generator: generator),
            try BatchNorm2d(featureCount: 8), ReLU(), AdaptiveAvgPool2d(outputSize: 1),
        ])
        head = try Linear(inputFeatures: 8, outputFeatures: 2, generator: generator)
    }

    var namedChildren: [(String, any Module)] { [("features", features), ("head", head)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try head(features(input).flattened(from: 1)) }
}

/// An exception the observer throws to stop a run, standing in for a crash.
struct SimulatedCrash: Error {}

@Suite(.serialized)
struct TrainerTests {
    static func splits() throws -> DatasetSplits {
        let data = try SyntheticRadiographs(count: 96, size: 16, seed: 3)
        return DatasetSplits(train: data.subset(Array(0..<48)), validation: data.subset(Array(48..<72)),
                             test: data.subset(Array(72..<96)))
    }

    static func configuration(epochs: Int = 3, phases: [TrainingPhase]? = nil) -> TrainingConfiguration {
        TrainingConfiguration(phases: phases ?? [TrainingPhase(epochs: epochs, learningRate: 1e-2)], seed: 7, batchSize: 16,
                              loaderWorkers: 2, bootstrapResamples: 50, channelsLast: false)
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-trainer-\(UUID().uuidString)")
    }

    static func train(_ folder: URL, configuration: TrainingConfiguration = configuration(), resume: Bool = false,
                      force: Bool = false, stopAfterEpoch: Int? = nil) throws -> TrainingResult {
        try TorchRuntime.configure(seed: 7)
        let run = try RunFolder.prepare(folder, resume: resume, force: force)
        let trainer = try Trainer(model: try TinyNet(seed: 7), splits: splits(),
                                  trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                  evaluationTransform: Normalize(mean: [0.5], std: [0.5]),
                                  configuration: configuration, folder: run)
        trainer.observer = { event in
            if case .epochFinished(let record, _) = event, record.epoch == stopAfterEpoch { throw SimulatedCrash() }
        }
        return try trainer.run(resume: resume)
    }

    @Test func trainsAndWritesTheRunFolder() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.train(folder)
        #expect(result.history.count == 3)
        #expect(result.testPredictions.count == 24)
        let auroc = try #require(result.test.metrics["auroc"])
        #expect((auroc.value ?? 0) > 0.8, "the synthetic task is easy: AUROC \(auroc)")
        #expect(auroc.lower! <= auroc.value! && auroc.value! <= auroc.upper!)
        let run = RunFolder(folder)
        #expect(run.isFinished)
        for url in [run.lastCheckpointURL, run.bestCheckpointURL, run.metricsURL, run.predictionsURL, run.logURL] {
            #expect(FileManager.default.fileExists(atPath: url.path), "\(url.lastPathComponent) missing")
        }
        let csv = try String(contentsOf: run.predictionsURL, encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "sample_id,label,p_clear,p_opacity")
        #expect(csv.count == 25)
        let saved = try RunResults(contentsOf: run.metricsURL)
        #expect(saved.status == .finished)
        #expect(saved.history.count == 3)
        #expect(saved.test?.metrics["auroc"]?.value == auroc.value)
    }

    @Test func resumedRunEndsWithTheSameMetrics() throws {
        let whole = Self.temporaryFolder(), interrupted = Self.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: interrupted)
        }
        let configuration = Self.configuration(epochs: 4)
        let reference = try Self.train(whole, configuration: configuration)
        #expect(throws: SimulatedCrash.self) { try Self.train(interrupted, configuration: configuration, stopAfterEpoch: 2) }
        #expect(!RunFolder(interrupted).isFinished)
        // Without --resume or --force an unfinished run is refused.
        #expect(throws: TrainingError.self) { try Self.train(interrupted, configuration: configuration) }
        let resumed = try Self.train(interrupted, configuration: configuration, resume: true)
        #expect(resumed.history.map(\.trainingLoss) == reference.history.map(\.trainingLoss))
        #expect(resumed.testPredictions.probabilities == reference.testPredictions.probabilities)
        #expect(resumed.test == reference.test)
    }

    @Test func finishedRunIsNeverOverwrittenWithoutForce() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.train(folder, configuration: Self.configuration(epochs: 1))
        let error = #expect(throws: TrainingError.self) { try Self.train(folder, configuration: Self.configuration(epochs: 1)) }
        #expect(error?.description.contains("--force") == true)
        #expect(throws: TrainingError.self) { try Self.train(folder, configuration: Self.configuration(epochs: 1), resume: true) }
        _ = try Self.train(folder, configuration: Self.configuration(epochs: 1), force: true)
        #expect(RunFolder(folder).isFinished)
    }

    @Test func sameSeedGivesIdenticalMetrics() throws {
        let a = Self.temporaryFolder(), b = Self.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        let first = try Self.train(a, configuration: Self.configuration(epochs: 2))
        let second = try Self.train(b, configuration: Self.configuration(epochs: 2))
        #expect(first.test == second.test)
        #expect(first.history.map(\.trainingLoss) == second.history.map(\.trainingLoss))
    }

    @Test func frozenBackboneKeepsItsBatchNormStatisticsBitIdentical() throws {
        let model = try TinyNet(seed: 1)
        // Bytes, not tensors: a state dict shares storage with the model.
        let before = try model.stateDict().entries.reduce(into: [String: [UInt8]]()) { $0[$1.key] = try $1.tensor.hostBytes() }
        let probe = TrainingPhase(name: "probe", epochs: 2, trainable: .prefixes(["head"]), learningRate: 1e-2,
                                  batchNorm: .freezeFrozen)
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try Trainer(model: model, splits: Self.splits(), trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                  evaluationTransform: Normalize(mean: [0.5], std: [0.5]),
                                  configuration: Self.configuration(phases: [probe]),
                                  folder: try RunFolder.prepare(folder, resume: false, force: false))
        _ = try trainer.run(resume: false)
        let after = try model.stateDict()
        #expect(before.count == 9)   // conv (2), BatchNorm (5 incl. statistics), head (2)
        for key in before.keys where !key.hasPrefix("head") {
            #expect(before[key]! == (try after[key]!.hostBytes()), "\(key) changed under a frozen backbone")
        }
        #expect(before["head.weight"]! != (try after["head.weight"]!.hostBytes()))
    }

    @Test func phaseErrorsComeBeforeTraining() throws {
        let model = try TinyNet(seed: 1)
        let nothing = TrainingPhase(name: "empty", epochs: 1, trainable: .none)
        let error = #expect(throws: TrainingError.self) { try PhaseSetup(nothing, model: model) }
        #expect(error?.description.contains("makes no parameter trainable") == true)
        let typo = TrainingPhase(name: "typo", epochs: 1, trainable: .prefixes(["hed"]))
        let typoError = #expect(throws: TrainingError.self) { try PhaseSetup(typo, model: model) }
        #expect(typoError?.description.contains("hed") == true)
        #expect(throws: TrainingError.self) { try TrainingPhase(epochs: 0).validate() }
        #expect(throws: TrainingError.self) { try TrainingPhase(epochs: 1, learningRate: -1).validate() }
    }

    @Test func learningRateGroupsScaleTheBaseRate() throws {
        let model = try TinyNet(seed: 1)
        let phase = TrainingPhase(epochs: 1, groups: [LearningRateGroup(name: "head", selection: .prefixes(["head"]), multiplier: 1),
                                                      LearningRateGroup(name: "backbone", selection: .all, multiplier: 0.1)],
                                  learningRate: 1e-3)
        let setup = try PhaseSetup(phase, model: model)
        #expect(setup.groups.map(\.name) == ["head", "backbone"])
        #expect(setup.baseRates == [1e-3, 1e-4])
        #expect(setup.groups[0].keys == ["head.weight", "head.bias"])
    }

    @Test func classWeightsBalanced() throws {
        let loss = try TaskLoss(task: .binary, weighting: .balanced, classCounts: [30, 10], sampleCount: 40, device: .cpu)
        #expect(loss.weights == [40.0 / 60, 40.0 / 20])
        #expect(throws: TrainingError.self) {
            try TaskLoss(task: .binary, weighting: .explicit([1]), classCounts: [30, 10], sampleCount: 40, device: .cpu)
        }
    }
}

/// Frozen-prefix caching gives the run it replaces.
@Suite(.serialized)
struct FeatureCacheTests {
    static func train(cache: Bool, strategy: String, parameters: [String: String] = [:]) throws -> (TrainingResult, String) {
        try TorchRuntime.configure(seed: 11)
        let backbone = try ScalpelModels.Architecture.resnet18.makeModel(classCount: 2, generator: try Generator(seed: 11))
        try backbone.adaptInputChannels(1)
        let transfer = try TransferStrategy(name: strategy, parameters: parameters)
        let model = try transfer.makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 12))
        let phases = try transfer.phases(model: model, backbone: backbone,
                                         base: TrainingPhase(epochs: 2, learningRate: 1e-2))
        var configuration = TrainerTests.configuration(phases: phases)
        configuration.cacheFrozenPrefix = cache
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try Trainer(model: model, splits: TrainerTests.splits(), trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                  evaluationTransform: Normalize(mean: [0.5], std: [0.5]), configuration: configuration,
                                  folder: try RunFolder.prepare(folder, resume: false, force: false))
        let result = try trainer.run(resume: false)
        return (result, try String(contentsOf: RunFolder(folder).logURL, encoding: .utf8))
    }

    @Test(arguments: [("linear-probe", [String: String]()), ("block-wise", ["k": "1"])])
    func cachedRunEqualsTheRecomputedOne(_ strategy: String, _ parameters: [String: String]) throws {
        let (plain, plainLog) = try Self.train(cache: false, strategy: strategy, parameters: parameters)
        let (cached, cachedLog) = try Self.train(cache: true, strategy: strategy, parameters: parameters)
        #expect(!plainLog.contains("cached") && cachedLog.contains("cached"))
        for (a, b) in zip(plain.history, cached.history) {
            #expect(abs(a.trainingLoss - b.trainingLoss) < 1e-4, "epoch \(a.epoch): \(a.trainingLoss) vs \(b.trainingLoss)")
        }
        for (a, b) in zip(plain.testPredictions.probabilities.joined(), cached.testPredictions.probabilities.joined()) {
            #expect(abs(a - b) < 1e-4)
        }
    }
}
