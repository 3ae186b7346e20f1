// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A ``Schedule`` in motion: the learning rate of every group at each step, and the state a resumed
/// run restores (``State`` is Codable and goes into the checkpoint).
public struct LearningRateScheduler: Sendable {
    /// What changes during training; restoring it resumes the schedule exactly.
    public struct State: Sendable, Equatable, Codable {
        /// The plateau schedule's current factor (1 for the others).
        public var plateauFactor: Double = 1
        /// Best validation value seen by the plateau schedule.
        public var best: Double?
        public var badEpochs = 0
        public var cooldownLeft = 0
    }

    public let schedule: Schedule
    /// Each group's base (peak) learning rate.
    public let baseRates: [Double]
    public let epochs: Int
    public let stepsPerEpoch: Int
    /// Whether a larger validation value is better (for `plateau`).
    public let maximize: Bool
    public var state = State()

    public init(_ schedule: Schedule, baseRates: [Double], epochs: Int, stepsPerEpoch: Int, maximize: Bool) throws {
        try schedule.validate()
        guard epochs > 0, stepsPerEpoch > 0 else {
            throw TrainingError.invalidOption("schedule: needs at least one epoch and one step per epoch, got \(epochs) × \(stepsPerEpoch)")
        }
        self.schedule = schedule
        self.baseRates = baseRates
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.maximize = maximize
    }

    /// The learning rate of each group for optimizer step `step` (0-based within the phase) of `epoch`
    /// (0-based).
    public func learningRates(epoch: Int, step: Int) -> [Double] {
        let factor = factor(epoch: epoch, step: step)
        return baseRates.map { rate in
            if case .plateau(let options) = schedule { return max(rate * factor, options.minimumLearningRate) }
            return rate * factor
        }
    }

    func factor(epoch: Int, step: Int) -> Double {
        switch schedule {
        case .constant:
            return 1
        case .multiStep(let milestones, let gamma):
            return pow(gamma, Double(milestones.filter { $0 <= epoch }.count))
        case .cosine(let warmupEpochs, let start, let minimum):
            let warmup = warmupEpochs * stepsPerEpoch
            if step < warmup {
                return start + (1 - start) * Double(step) / Double(warmup)
            }
            let span = max(epochs * stepsPerEpoch - warmup, 1)
            let progress = min(Double(step - warmup) / Double(span), 1)
            return minimum + (1 - minimum) * (1 + cos(Double.pi * progress)) / 2
        case .oneCycle(let pct, let div, let finalDiv):
            // PyTorch: phase ends at float(pct · total) − 1 and total − 1; cosine between them.
            let total = Double(epochs * stepsPerEpoch)
            let peakStep = pct * total - 1
            let initial = 1 / div, last = 1 / (div * finalDiv)
            let s = Double(step)
            if s <= peakStep {
                return Self.cosineBetween(initial, 1, progress: peakStep > 0 ? s / peakStep : 1)
            }
            let span = total - 1 - peakStep
            return Self.cosineBetween(1, last, progress: span > 0 ? min((s - peakStep) / span, 1) : 1)
        case .plateau:
            return state.plateauFactor
        }
    }

    private static func cosineBetween(_ start: Double, _ end: Double, progress: Double) -> Double {
        end + (start - end) / 2 * (1 + cos(Double.pi * progress))
    }

    /// Ends an epoch with its validation value (for `plateau`). Returns whether the phase should stop
    /// because every rate is below the plateau's `stopBelow`.
    public mutating func endEpoch(validationValue: Double?) -> Bool {
        guard case .plateau(let options) = schedule else { return false }
        if let value = validationValue, value.isFinite {
            let improved: Bool
            if let best = state.best {
                // PyTorch's relative threshold, literally `best · (1 ± threshold)`.
                improved = maximize ? value > best * (1 + options.threshold) : value < best * (1 - options.threshold)
            } else {
                improved = true
            }
            if improved {
                state.best = value
                state.badEpochs = 0
            } else {
                state.badEpochs += 1
            }
        } else {
            state.badEpochs += 1
        }
        if state.cooldownLeft > 0 {
            state.cooldownLeft -= 1
            state.badEpochs = 0
        }
        if state.badEpochs > options.patience {
            // Reduce as ReduceLROnPlateau does, group by group, only by more than eps = 1e-8.
            let current = learningRates(epoch: 0, step: 0)
            let reducedFactor = state.plateauFactor * options.factor
            let reduced = baseRates.map { max($0 * reducedFactor, options.minimumLearningRate) }
            if zip(current, reduced).contains(where: { $0 - $1 > 1e-8 }) { state.plateauFactor = reducedFactor }
            state.cooldownLeft = options.cooldown
            state.badEpochs = 0
        }
        guard let stopBelow = options.stopBelow else { return false }
        return learningRates(epoch: 0, step: 0).allSatisfy { $0 < stopBelow }
    }
}
