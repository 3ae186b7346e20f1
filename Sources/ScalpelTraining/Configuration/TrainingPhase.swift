// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import TorchNN

/// Which parameters a phase or a learning-rate group covers, by state-dict key (Codable form of
/// `ParameterFilter`).
public enum ParameterSelection: Sendable, Equatable, Codable {
    case all
    case none
    /// Every key inside any of these module paths (`"layer4"`, `"fc"`).
    case prefixes([String])
    /// Exactly these keys.
    case names([String])

    public func matches(_ key: String) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .prefixes(let prefixes): ParameterFilter.prefixes(prefixes).matches(key)
        case .names(let names): names.contains(key)
        }
    }

    /// The prefixes or names that select none of `keys` (a typo, or a module the model lacks).
    public func unmatchedParts(in keys: [String]) -> [String] {
        switch self {
        case .all, .none: []
        case .prefixes(let prefixes): ParameterFilter.prefixes(prefixes).unmatchedParts(in: keys)
        case .names(let names): ParameterFilter.names(names).unmatchedParts(in: keys)
        }
    }
}

/// Parameters trained at `multiplier` × the phase's learning rate (a head at the base rate and a
/// backbone at a tenth, per-block decay, …). A parameter belongs to the first group that selects it;
/// trainable parameters no group selects train at the base rate.
public struct LearningRateGroup: Sendable, Equatable, Codable {
    public var name: String
    public var selection: ParameterSelection
    public var multiplier: Double

    public init(name: String, selection: ParameterSelection, multiplier: Double) {
        self.name = name
        self.selection = selection
        self.multiplier = multiplier
    }
}

/// The optimizer of a phase.
public enum OptimizerKind: Sendable, Equatable, Codable {
    case adam
    case adamW
    case sgd(momentum: Double, nesterov: Bool)

    public var name: String {
        switch self {
        case .adam: "adam"
        case .adamW: "adamw"
        case .sgd: "sgd"
        }
    }
}

/// How BatchNorm layers behave while a phase trains.
public enum BatchNormPolicy: String, Sendable, Equatable, Codable, CaseIterable {
    /// Batch statistics in the forward pass and running statistics updated (PyTorch's `train()`).
    case train
    /// Every BatchNorm uses and keeps its running statistics (evaluation mode), as a frozen feature
    /// extractor must.
    case freeze
    /// BatchNorm layers whose parameters are all frozen keep their statistics; the others train.
    case freezeFrozen = "freeze-frozen"
}

/// When to end a phase early: after `patience` epochs without the monitored metric improving by more
/// than `minimumDelta`.
public struct EarlyStoppingOptions: Sendable, Equatable, Codable {
    public var patience: Int
    public var minimumDelta: Double

    public init(patience: Int, minimumDelta: Double = 0) {
        self.patience = patience
        self.minimumDelta = minimumDelta
    }
}

/// One stage of training (`ARCHITECTURE.md` §5): which parameters train, at which learning rates,
/// with which optimizer and schedule, how BatchNorm behaves and when the stage ends. A strategy is a
/// list of phases; the trainer runs them in order and knows nothing of strategy names.
public struct TrainingPhase: Sendable, Equatable, Codable {
    public var name: String
    /// The most epochs this phase runs (early stopping or a plateau floor may end it sooner).
    public var epochs: Int
    /// Parameters that train; all others are frozen.
    public var trainable: ParameterSelection
    public var groups: [LearningRateGroup]
    public var optimizer: OptimizerKind
    /// The base (peak) learning rate.
    public var learningRate: Double
    public var weightDecay: Double
    public var schedule: Schedule
    public var batchNorm: BatchNormPolicy
    public var earlyStopping: EarlyStoppingOptions?
    /// Clip the global gradient norm to this before each step (`clip_grad_norm_`).
    public var gradientClipNorm: Double?
    /// A penalty towards the starting weights (L2-SP, L1-SP).
    public var regularizer: Regularizer?
    public var learningRatePolicy: LearningRatePolicy

    public init(name: String = "train", epochs: Int, trainable: ParameterSelection = .all,
                groups: [LearningRateGroup] = [], optimizer: OptimizerKind = .adam, learningRate: Double = 1e-3,
                weightDecay: Double = 0, schedule: Schedule = .constant, batchNorm: BatchNormPolicy = .train,
                earlyStopping: EarlyStoppingOptions? = nil, gradientClipNorm: Double? = nil,
                regularizer: Regularizer? = nil, learningRatePolicy: LearningRatePolicy = .groups) {
        self.name = name
        self.epochs = epochs
        self.trainable = trainable
        self.groups = groups
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.schedule = schedule
        self.batchNorm = batchNorm
        self.earlyStopping = earlyStopping
        self.gradientClipNorm = gradientClipNorm
        self.regularizer = regularizer
        self.learningRatePolicy = learningRatePolicy
    }

    /// Checks every option; the message names the phase and the option.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw TrainingError.invalidOption("phase '\(name)': \(message)") }
        }
        try check(epochs > 0, "epochs must be positive, got \(epochs)")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive, got \(learningRate)")
        try check(weightDecay >= 0, "weight decay must be >= 0, got \(weightDecay)")
        try check(groups.allSatisfy { $0.multiplier >= 0 && $0.multiplier.isFinite },
                  "learning-rate multipliers must be >= 0")
        if let clip = gradientClipNorm { try check(clip > 0, "gradient clip norm must be positive, got \(clip)") }
        if let stop = earlyStopping {
            try check(stop.patience >= 1, "early-stopping patience must be >= 1, got \(stop.patience)")
            try check(stop.minimumDelta >= 0, "early-stopping minimum delta must be >= 0")
        }
        if case .sgd(let momentum, let nesterov) = optimizer {
            try check(momentum >= 0 && momentum < 1, "SGD momentum must be in [0, 1), got \(momentum)")
            try check(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
        }
        try regularizer?.validate()
        do { try schedule.validate() } catch TrainingError.invalidOption(let message) {
            throw TrainingError.invalidOption("phase '\(name)': \(message)")
        }
    }
}
