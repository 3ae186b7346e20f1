// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
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
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be 0 or more, got \(bootstrap).") }
        _ = try MonitoredMetric(named: monitor)
        _ = try classWeighting()
        do { _ = try basePhase() } catch let error as TrainingError { throw ValidationError(error.description) }
        guard bnPolicy == "auto" || BatchNormPolicy(rawValue: bnPolicy) != nil else {
            throw ValidationError("--bn-policy must be auto, train, freeze or freeze-frozen, got '\(bnPolicy)'.")
        }
    }

    /// The strategy's phases with `--bn-policy` applied when it is not `auto`.
    func phases(_ strategy: TransferStrategy, model: any Layer, backbone: any Backbone) throws -> [TrainingPhase] {
        var phases = try strategy.phases(model: model, backbone: backbone, base: try basePhase())
        if let policy = BatchNormPolicy(rawValue: bnPolicy) {
            for index in phases.indices { phases[index].batchNorm = policy }
        }
        return phases
    }

    /// The strategy check for commands that train the strategy as given (search fills in the cut).
    func validateStrategy() throws {
        do { _ = try transferStrategy() } catch let error as TrainingError { throw ValidationError(error.description) }
    }

    /// The strategy with its parameters, checked.
    func transferStrategy() throws -> TransferStrategy {
        var parameters: [String: String] = [:]
        for pair in strategyParams.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw TrainingError.invalidOption("--strategy-params: expected NAME=VALUE pairs, got '\(pair)'")
            }
            parameters[parts[0]] = parts[1]
        }
        return try TransferStrategy(name: strategy, parameters: parameters)
    }

    func classWeighting() throws -> ClassWeighting {
        switch classWeights.lowercased() {
        case "none": return .none
        case "balanced": return .balanced
        default:
            let values = classWeights.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--class-weights: expected none, balanced or comma-separated numbers, got '\(classWeights)'.")
            }
            return .explicit(values.map { $0! })
        }
    }

    func resolvedSchedule() throws -> Schedule {
        let schedule: Schedule
        switch self.schedule {
        case .constant: schedule = .constant
        case .multistep:
            let values = milestones.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty else { throw ValidationError("--milestones: expected comma-separated epochs, got '\(milestones)'.") }
            let epochsList = values.allSatisfy { $0 < 1 } ? values.map { Int($0 * Double(epochs)) } : values.map { Int($0) }
            schedule = .multiStep(milestones: epochsList, gamma: gamma)
        case .cosine: schedule = .cosine(warmupEpochs: warmupEpochs, warmupStartFactor: 0.1, minimumFactor: minLrFactor)
        case .onecycle: schedule = .oneCycle(pctStart: pctStart, divFactor: 25, finalDivFactor: 1e4)
        case .plateau:
            schedule = .plateau(PlateauOptions(factor: plateauFactor, patience: plateauPatience, minimumLearningRate: minLr,
                                               stopBelow: stopBelow))
        }
        do { try schedule.validate() } catch { throw ValidationError("--schedule: \(error)") }
        return schedule
    }

    /// The run's base phase (epochs, rate, optimizer, schedule, stopping) that the strategy refines.
    func basePhase() throws -> TrainingPhase {
        let optimizerKind: OptimizerKind = switch optimizer {
        case .adam: .adam
        case .adamw: .adamW
        case .sgd: .sgd(momentum: momentum, nesterov: false)
        }
        let phase = TrainingPhase(name: strategy, epochs: epochs, optimizer: optimizerKind, learningRate: lr,
                                  weightDecay: weightDecay, schedule: try resolvedSchedule(),
                                  earlyStopping: earlyStopping.map { EarlyStoppingOptions(patience: $0) },
                                  gradientClipNorm: clipGradNorm)
        try phase.validate()
        return phase
    }
}

enum CacheMode: String, CaseIterable, ExpressibleByArgument {
    case auto, on, off
}

enum OptimizerName: String, CaseIterable, ExpressibleByArgument {
    case adam, adamw, sgd
}

enum ScheduleName: String, CaseIterable, ExpressibleByArgument {
    case constant, multistep, cosine, onecycle, plateau
}
