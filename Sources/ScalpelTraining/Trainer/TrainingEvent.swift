// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0

/// What the trainer reports as it goes; the command draws a progress bar, prints JSON lines or stays
/// quiet.
public enum TrainingEvent: Sendable {
    /// A resumed run continues after `completedEpochs`.
    case resumed(completedEpochs: Int)
    case phaseStarted(name: String, index: Int, count: Int, epochs: Int, trainableParameters: Int)
    /// After each optimizer step. `epoch` is 1-based over the run; `eta` is seconds left in the epoch.
    case batchFinished(epoch: Int, totalEpochs: Int, batch: Int, batches: Int, loss: Double, imagesPerSecond: Double,
                       eta: Double)
    case epochFinished(EpochRecord, isBest: Bool)
    /// Images left out (`--on-bad-image skip`), each with the reason.
    case imagesSkipped([String])
    case phaseEnded(name: String, reason: String)
    /// The test set is being evaluated with the best checkpoint.
    case testing(checkpoint: String)
}
