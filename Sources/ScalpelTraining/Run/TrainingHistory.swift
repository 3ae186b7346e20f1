// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import TorchOptim

/// What one epoch did.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// 1-based over the whole run.
    public var epoch: Int
    public var phase: String
    public var trainingLoss: Double
    public var validationLoss: Double?
    /// Validation metrics by name (nil where undefined).
    public var validation: [String: Double?]
    /// Each parameter group's learning rate at the epoch's last step.
    public var learningRates: [Double]
    public var seconds: Double
    public var imagesPerSecond: Double
}

/// The best validation epoch so far.
public struct BestEpoch: Sendable, Equatable, Codable {
    public var epoch: Int
    public var phase: String
    public var metric: MonitoredMetric
    public var value: Double
}

/// Early stopping's memory.
public struct EarlyStoppingState: Sendable, Equatable, Codable {
    public var best: Double?
    public var badEpochs = 0

    /// Records `value`; returns whether the phase should stop.
    mutating func update(_ value: Double?, options: EarlyStoppingOptions?, maximize: Bool) -> Bool {
        guard let options else { return false }
        if let value, value.isFinite,
           best.map({ maximize ? value > $0 + options.minimumDelta : value < $0 - options.minimumDelta }) ?? true {
            best = value
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        return badEpochs >= options.patience
    }
}

/// Where a run stands after its last complete epoch; saved in the last checkpoint.
public struct TrainerState: Sendable, Equatable, Codable {
    /// Phase being run (== phases.count when all are done).
    public var phaseIndex = 0
    /// Epochs completed in that phase.
    public var epochInPhase = 0
    /// Epochs completed in the run.
    public var completedEpochs = 0
    public var scheduler = LearningRateScheduler.State()
    public var earlyStopping = EarlyStoppingState()
    public var best: BestEpoch?
    public var history: [EpochRecord] = []
    /// Every image left out so far (`--on-bad-image skip`), with the reason.
    public var skipped: [String] = []
    /// Seconds spent in training steps and computing cached frozen features (validation excluded).
    public var trainingSeconds = 0.0
    /// Why each finished phase ended.
    public var phaseEndings: [String] = []
    /// The fp16 loss scaler's scale and step counts (nil in other precisions, and in checkpoints
    /// written before it was saved).
    public var lossScaler: GradientScaler.State?
}
