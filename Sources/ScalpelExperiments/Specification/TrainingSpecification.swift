// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import ScalpelTraining

public enum OptimizerName: String, Codable, CaseIterable, Sendable {
    case adam, adamw, sgd
}

public enum ScheduleName: String, Codable, CaseIterable, Sendable {
    case constant, multistep, cosine, onecycle, plateau
}

/// How a model is trained: optimizer, schedule, stopping, loss (the `training:` section of a run
/// specification; each field is the `scalpel train` option of the same name).
public struct TrainingSpecification: Codable, Equatable, Sendable {
    /// Epochs (the most; early stopping or a plateau floor can end training sooner).
    public var epochs: Int = 10
    public var batchSize: Int = 64
    /// Base learning rate.
    public var lr: Double = 1e-3
    public var optimizer: OptimizerName = .adam
    public var weightDecay: Double = 0
    public var momentum: Double = 0.9
    public var schedule: ScheduleName = .constant
    /// multistep: milestones as epochs, or as fractions of `epochs` when all are below 1.
    public var milestones: String = "0.5,0.75"
    public var gamma: Double = 0.1
    public var warmupEpochs: Int = 0
    public var minLrFactor: Double = 0
    public var pctStart: Double = 0.3
    public var plateauFactor: Double = 0.5
    public var plateauPatience: Int = 5
    public var minLr: Double = 0
    public var stopBelow: Double?
    public var earlyStopping: Int?
    /// The validation metric that picks the best checkpoint and drives plateau and early stopping.
    public var monitor: String = "auroc"
    public var clipGradNorm: Double?
    /// `none`, `balanced`, or one weight per class (comma-separated).
    public var classWeights: String = "none"

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch-size", lr, optimizer, weightDecay = "weight-decay", momentum, schedule, milestones
        case gamma, warmupEpochs = "warmup-epochs", minLrFactor = "min-lr-factor", pctStart = "pct-start"
        case plateauFactor = "plateau-factor", plateauPatience = "plateau-patience", minLr = "min-lr", stopBelow = "stop-below"
        case earlyStopping = "early-stopping", monitor, clipGradNorm = "clip-grad-norm", classWeights = "class-weights"
    }

    /// Checks the counts and every derived setting.
    public func validate() throws {
        guard epochs >= 1, epochs <= 100_000 else { throw ExperimentError("--epochs must be from 1 to 100000, got \(epochs).") }
        guard batchSize >= 1, batchSize <= 1 << 20 else { throw ExperimentError("--batch-size must be from 1 to 1048576, got \(batchSize).") }
        _ = try monitoredMetric()
        _ = try classWeighting()
        do { _ = try basePhase(name: "check") } catch let error as TrainingError { throw ExperimentError(error.description) }
    }

    public func monitoredMetric() throws -> MonitoredMetric {
        do { return try MonitoredMetric(named: monitor) } catch { throw ExperimentError("--monitor: \(error)") }
    }

    public func classWeighting() throws -> ClassWeighting {
        switch classWeights.lowercased() {
        case "none": return .none
        case "balanced": return .balanced
        default:
            let values = classWeights.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.count <= 100_000, values.allSatisfy({ $0 != nil }) else {
                throw ExperimentError("--class-weights: expected none, balanced or comma-separated numbers, got '\(classWeights)'.")
            }
            return .explicit(values.map { $0! })
        }
    }

    public func resolvedSchedule() throws -> Schedule {
        let schedule: Schedule
        switch self.schedule {
        case .constant: schedule = .constant
        case .multistep:
            let values = milestones.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty else { throw ExperimentError("--milestones: expected comma-separated epochs, got '\(milestones)'.") }
            let epochsList = values.allSatisfy { $0 < 1 } ? values.map { Int($0 * Double(epochs)) } : values.map { Int($0) }
            schedule = .multiStep(milestones: epochsList, gamma: gamma)
        case .cosine: schedule = .cosine(warmupEpochs: warmupEpochs, warmupStartFactor: 0.1, minimumFactor: minLrFactor)
        case .onecycle: schedule = .oneCycle(pctStart: pctStart, divFactor: 25, finalDivFactor: 1e4)
        case .plateau:
            schedule = .plateau(PlateauOptions(factor: plateauFactor, patience: plateauPatience, minimumLearningRate: minLr,
                                               stopBelow: stopBelow))
        }
        do { try schedule.validate() } catch { throw ExperimentError("--schedule: \(error)") }
        return schedule
    }

    /// The run's base phase (epochs, rate, optimizer, schedule, stopping) that the strategy refines.
    public func basePhase(name: String) throws -> TrainingPhase {
        let optimizerKind: OptimizerKind = switch optimizer {
        case .adam: .adam
        case .adamw: .adamW
        case .sgd: .sgd(momentum: momentum, nesterov: false)
        }
        let phase = TrainingPhase(name: name, epochs: epochs, optimizer: optimizerKind, learningRate: lr,
                                  weightDecay: weightDecay, schedule: try resolvedSchedule(),
                                  earlyStopping: earlyStopping.map { EarlyStoppingOptions(patience: $0) },
                                  gradientClipNorm: clipGradNorm)
        try phase.validate()
        return phase
    }
}
