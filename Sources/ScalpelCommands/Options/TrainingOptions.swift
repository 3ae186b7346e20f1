// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining
import TorchNN

/// How a model is trained: strategy, optimizer, schedule, stopping, loss.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Transfer strategy (scalpel strategies lists them with their parameters).")
    var strategy: String = "full"

    @Option(help: "Strategy parameters as NAME=VALUE pairs, comma-separated (e.g. cut=layer3, k=2,decay=10).")
    var strategyParams: String = ""

    @Option(help: "BatchNorm while training: auto (the strategy's own), train (batch statistics, running ones updated), freeze (running statistics everywhere), freeze-frozen (frozen only where the parameters are frozen).")
    var bnPolicy: String = "auto"

    @Option(help: "Epochs (the most; early stopping or a plateau floor can end training sooner).")
    var epochs: Int = 10

    @Option(help: "Training batch size.")
    var batchSize: Int = 64

    @Option(help: "Base learning rate.")
    var lr: Double = 1e-3

    @Option(help: "Optimizer: adam, adamw or sgd.")
    var optimizer: OptimizerName = .adam

    @Option(help: "Weight decay (L2 for adam and sgd, decoupled for adamw).")
    var weightDecay: Double = 0

    @Option(help: "SGD momentum.")
    var momentum: Double = 0.9

    @Option(help: "Schedule: constant, multistep, cosine, onecycle or plateau.")
    var schedule: ScheduleName = .constant

    @Option(help: "multistep: milestones as epochs, or as fractions of --epochs when all are below 1.")
    var milestones: String = "0.5,0.75"

    @Option(help: "multistep: factor at each milestone.")
    var gamma: Double = 0.1

    @Option(help: "cosine: warm-up epochs (linear from a tenth of the rate).")
    var warmupEpochs: Int = 0

    @Option(help: "cosine: final rate as a fraction of the base rate.")
    var minLrFactor: Double = 0

    @Option(help: "onecycle: fraction of the steps spent rising to the peak (the base rate).")
    var pctStart: Double = 0.3

    @Option(help: "plateau: factor applied when the monitored metric stagnates.")
    var plateauFactor: Double = 0.5

    @Option(help: "plateau: epochs without improvement before the rate drops.")
    var plateauPatience: Int = 5

    @Option(help: "plateau: the rate never goes below this.")
    var minLr: Double = 0

    @Option(help: "plateau: stop training once the rate is below this (TruncatedTL: 1e-6).")
    var stopBelow: Double?

    @Option(help: "Stop after this many epochs without improvement of --monitor.")
    var earlyStopping: Int?

    @Option(help: "Validation metric that picks the best checkpoint and drives plateau and early stopping: loss, auroc, auprc, accuracy, balanced-accuracy.")
    var monitor: String = "auroc"

    @Option(help: "Clip the gradients' global norm to this.")
    var clipGradNorm: Double?

    @Option(help: "Class weights of the loss: none, balanced, or one weight per class (comma-separated).")
    var classWeights: String = "none"

    @Option(help: "Bootstrap resamples for the test metrics' 95 % confidence intervals (0: none).")
    var bootstrap: Int = 1000

    @Option(help: "Threads decoding and augmenting images.")
    var workers: Int = 2

    @Option(help: "Compute a frozen bottom (linear probe, block-wise, …) once per image and reuse it: auto (when --augment none), on, off.")
    var cacheFeatures: CacheMode = .auto

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers).") }
        guard (0...100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be from 0 to 100000 resamples, got \(bootstrap).") }
        do {
            try trainingSpecification.validate()
            _ = try strategySpecification.batchNormOverride()
        } catch let error as ExperimentError {
            throw ValidationError(error.description)
        }
    }

    /// The strategy's phases with `--bn-policy` applied when it is not `auto`.
    func phases(_ strategy: TransferStrategy, model: any Layer, backbone: any Backbone) throws -> [TrainingPhase] {
        try strategySpecification.phases(model: model, backbone: backbone, base: try trainingSpecification.basePhase(name: self.strategy))
    }

    /// The strategy check for commands that train the strategy as given (search fills in the cut).
    func validateStrategy() throws {
        do { _ = try transferStrategy() } catch let error as TrainingError { throw ValidationError(error.description) }
    }

    /// The strategy with its parameters, checked.
    func transferStrategy() throws -> TransferStrategy { try strategySpecification.transferStrategy() }

    /// The strategy section of a run specification.
    var strategySpecification: StrategySpecification {
        StrategySpecification(name: strategy, parameters: strategyParams, bnPolicy: bnPolicy)
    }

    /// The training section of a run specification.
    var trainingSpecification: TrainingSpecification {
        var training = TrainingSpecification()
        training.epochs = epochs
        training.batchSize = batchSize
        training.lr = lr
        training.optimizer = optimizer
        training.weightDecay = weightDecay
        training.momentum = momentum
        training.schedule = schedule
        training.milestones = milestones
        training.gamma = gamma
        training.warmupEpochs = warmupEpochs
        training.minLrFactor = minLrFactor
        training.pctStart = pctStart
        training.plateauFactor = plateauFactor
        training.plateauPatience = plateauPatience
        training.minLr = minLr
        training.stopBelow = stopBelow
        training.earlyStopping = earlyStopping
        training.monitor = monitor
        training.clipGradNorm = clipGradNorm
        training.classWeights = classWeights
        return training
    }
}

extension CacheMode: ExpressibleByArgument {}
extension OptimizerName: ExpressibleByArgument {}
extension ScheduleName: ExpressibleByArgument {}
