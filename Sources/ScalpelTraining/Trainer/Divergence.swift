// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation

extension TrainingError {
    /// A run whose loss or outputs stopped being numbers: names the epoch (and batch), the learning rates,
    /// suggests a lower rate, and points at the last checkpoint only when one exists.
    static func divergence(_ what: String, epoch: Int, batch: Int?, learningRates: [Double], folder: RunFolder) -> TrainingError {
        let place = batch.map { "epoch \(epoch), batch \($0)" } ?? "epoch \(epoch)"
        let rates = learningRates.map { String(format: "%g", $0) }.joined(separator: ", ")
        let lower = learningRates.map { String(format: "%g", $0 / 10) }.joined(separator: ", ")
        let checkpoint = FileManager.default.fileExists(atPath: folder.lastCheckpointURL.path)
            ? "the last good epoch (\(epoch - 1)) is kept in \(folder.lastCheckpointURL.path): the same command with --resume continues from it (with the same options, so it may diverge again); or start over with --force and a lower rate"
            : "no epoch had completed, so there is no checkpoint to resume from: run again with a lower rate"
        return .diverged("\(what) in \(place) at learning rate \(rates): training diverged. Lower the learning rate (e.g. --lr \(lower)) or enable gradient clipping; \(checkpoint)")
    }
}
