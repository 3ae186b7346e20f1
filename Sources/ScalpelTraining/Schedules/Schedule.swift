// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0

/// How the learning rate changes during a phase. Every schedule is a factor applied to each
/// parameter group's base learning rate, so groups keep their ratios (discriminative rates, a head at
/// ten times the backbone's).
///
/// Each matches its PyTorch counterpart, checked on fixtures made with `torch.optim.lr_scheduler`:
/// - `constant`: factor 1.
/// - `multiStep`: `MultiStepLR` — × `gamma` at each milestone epoch (the MedMNIST protocol: Adam 1e-3,
///   milestones at 50 % and 75 % of the epochs, γ = 0.1).
/// - `cosine`: `LinearLR` warm-up from `warmupStartFactor` over `warmupEpochs`, then
///   `CosineAnnealingLR` down to `minimumFactor` at the last step; stepped every batch.
/// - `oneCycle`: `OneCycleLR` (cosine annealing, two phases): from peak / `divFactor` up to the peak at
///   `pctStart` of the steps, then down to peak / (`divFactor` · `finalDivFactor`); stepped every batch.
///   Its factor is relative to the base rate, which is the peak.
/// - `plateau`: `ReduceLROnPlateau` on a validation value: × `factor` after more than `patience`
///   epochs without a relative improvement of `threshold`, then `cooldown` epochs of rest, never below
///   `minimumLearningRate`. With `stopBelow`, the phase ends once every group's rate is below it
///   (TruncatedTL's protocol: factor 0.5, patience 5, stop below 1e-6).
public enum Schedule: Sendable, Equatable, Codable {
    case constant
    case multiStep(milestones: [Int], gamma: Double)
    case cosine(warmupEpochs: Int, warmupStartFactor: Double, minimumFactor: Double)
    case oneCycle(pctStart: Double, divFactor: Double, finalDivFactor: Double)
    case plateau(PlateauOptions)

    /// The MedMNIST v2 protocol's schedule for `epochs` epochs: ×0.1 at 50 % and 75 %.
    public static func medmnist(epochs: Int) -> Schedule {
        .multiStep(milestones: [Int(0.5 * Double(epochs)), Int(0.75 * Double(epochs))], gamma: 0.1)
    }

    /// Checks the parameters; the message names the schedule, the parameter and the valid range.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw TrainingError.invalidOption("schedule: \(message)") }
        }
        switch self {
        case .constant: break
        case .multiStep(let milestones, let gamma):
            try check(milestones.allSatisfy { $0 > 0 }, "multi-step milestones must be positive epochs, got \(milestones)")
            try check(gamma > 0 && gamma <= 1, "multi-step gamma must be in (0, 1], got \(gamma)")
        case .cosine(let warmup, let start, let minimum):
            try check(warmup >= 0, "cosine warm-up epochs must be >= 0, got \(warmup)")
            try check(start > 0 && start <= 1, "cosine warm-up start factor must be in (0, 1], got \(start)")
            try check(minimum >= 0 && minimum < 1, "cosine minimum factor must be in [0, 1), got \(minimum)")
        case .oneCycle(let pct, let div, let finalDiv):
            try check(pct > 0 && pct < 1, "one-cycle pct-start must be in (0, 1), got \(pct)")
            try check(div >= 1, "one-cycle div-factor must be >= 1, got \(div)")
            try check(finalDiv >= 1, "one-cycle final-div-factor must be >= 1, got \(finalDiv)")
        case .plateau(let options): try options.validate()
        }
    }

    /// Whether the factor changes every optimizer step (else every epoch).
    public var stepsEveryBatch: Bool {
        switch self {
        case .cosine, .oneCycle: true
        case .constant, .multiStep, .plateau: false
        }
    }
}

/// `ReduceLROnPlateau`'s options (PyTorch's defaults, except `factor`, which is TruncatedTL's 0.5).
public struct PlateauOptions: Sendable, Equatable, Codable {
    public var factor: Double = 0.5
    public var patience: Int = 5
    /// Relative improvement that counts (`threshold_mode='rel'`).
    public var threshold: Double = 1e-4
    public var cooldown: Int = 0
    public var minimumLearningRate: Double = 0
    /// End the phase once every group's learning rate is below this (nil: never).
    public var stopBelow: Double?

    public init(factor: Double = 0.5, patience: Int = 5, threshold: Double = 1e-4, cooldown: Int = 0,
                minimumLearningRate: Double = 0, stopBelow: Double? = nil) {
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        self.stopBelow = stopBelow
    }

    func validate() throws {
        guard factor > 0, factor < 1 else { throw TrainingError.invalidOption("schedule: plateau factor must be in (0, 1), got \(factor)") }
        guard patience >= 0, cooldown >= 0 else {
            throw TrainingError.invalidOption("schedule: plateau patience and cooldown must be >= 0, got \(patience), \(cooldown)")
        }
        guard threshold >= 0, minimumLearningRate >= 0 else {
            throw TrainingError.invalidOption("schedule: plateau threshold and minimum learning rate must be >= 0")
        }
        if let stopBelow, stopBelow <= 0 {
            throw TrainingError.invalidOption("schedule: plateau stop-below must be positive, got \(stopBelow)")
        }
    }
}
