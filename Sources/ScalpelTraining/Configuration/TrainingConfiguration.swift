// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import Torch

/// How the loss weighs classes.
public enum ClassWeighting: Sendable, Equatable, Codable {
    case none
    /// `n / (k · count_c)` per class (scikit-learn's "balanced"); for multi-label tasks the positive
    /// weight `negatives / positives` per label.
    case balanced
    /// One weight per class (per label: the positive weight).
    case explicit([Double])
}

/// Everything the trainer needs besides the model and the data; written, resolved, into the run
/// folder, so a resumed run can check it continues the same experiment.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    public var phases: [TrainingPhase]
    public var seed: UInt64
    public var batchSize: Int
    public var evaluationBatchSize: Int
    /// Threads that decode and transform images.
    public var loaderWorkers: Int
    public var monitor: MonitoredMetric
    public var classWeighting: ClassWeighting
    public var onBadImage: BadImagePolicy
    /// Bootstrap resamples for the test metrics' 95 % confidence intervals (0: none).
    public var bootstrapResamples: Int
    public var device: Device
    /// fp32, or autocast to bf16 / fp16 (fp16 with dynamic loss scaling); weights and optimizer state
    /// stay float32 either way.
    public var precision: Precision
    /// Convolutions in channels-last layout (faster on CPU).
    public var channelsLast: Bool
    /// Compute a phase's frozen bottom once per image and reuse it (only valid when the training
    /// transform is deterministic: no augmentation).
    public var cacheFrozenPrefix: Bool
    /// The most memory the cached features may take.
    public var featureCacheLimitBytes: Int

    public init(phases: [TrainingPhase], seed: UInt64 = 0, batchSize: Int = 64, evaluationBatchSize: Int? = nil,
                loaderWorkers: Int = 2, monitor: MonitoredMetric = .auroc, classWeighting: ClassWeighting = .none,
                onBadImage: BadImagePolicy = .fail, bootstrapResamples: Int = 1000, device: Device = .cpu,
                precision: Precision = .fp32,
                channelsLast: Bool = true, cacheFrozenPrefix: Bool = false, featureCacheLimitBytes: Int = 8 << 30) {
        self.phases = phases
        self.seed = seed
        self.batchSize = batchSize
        self.evaluationBatchSize = evaluationBatchSize ?? max(batchSize, 128)
        self.loaderWorkers = loaderWorkers
        self.monitor = monitor
        self.classWeighting = classWeighting
        self.onBadImage = onBadImage
        self.bootstrapResamples = bootstrapResamples
        self.device = device
        self.precision = precision
        self.channelsLast = channelsLast
        self.cacheFrozenPrefix = cacheFrozenPrefix
        self.featureCacheLimitBytes = featureCacheLimitBytes
    }

    /// Checks every option before anything trains.
    public func validate() throws {
        guard !phases.isEmpty else { throw TrainingError.invalidOption("the training plan has no phase") }
        guard batchSize > 0, evaluationBatchSize > 0 else {
            throw TrainingError.invalidOption("batch sizes must be positive, got \(batchSize) and \(evaluationBatchSize)")
        }
        guard loaderWorkers > 0 else { throw TrainingError.invalidOption("loader workers must be positive, got \(loaderWorkers)") }
        guard bootstrapResamples >= 0 else {
            throw TrainingError.invalidOption("bootstrap resamples must be >= 0, got \(bootstrapResamples)")
        }
        if case .explicit(let weights) = classWeighting, weights.contains(where: { !($0 > 0) || !$0.isFinite }) {
            throw TrainingError.invalidOption("class weights must be positive, got \(weights)")
        }
        do {
            try precision.validate(on: device)
        } catch let error as TorchError {
            throw TrainingError.invalidOption(error.message)
        }
        try phases.forEach { try $0.validate() }
        let names = phases.map(\.name)
        guard Set(names).count == names.count else {
            throw TrainingError.invalidOption("phase names must differ, got \(names)")
        }
    }

    /// The epochs of every phase together (an upper bound: phases may stop early).
    public var maximumEpochs: Int { phases.reduce(0) { $0 + $1.epochs } }
}
