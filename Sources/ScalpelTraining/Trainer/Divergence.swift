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
            ? "the last complete epoch is kept in \(folder.lastCheckpointURL.path)"
            : "no epoch had completed, so there is no checkpoint to resume from"
        return .diverged("\(what) in \(place) at learning rate \(rates): training diverged. Lower the learning rate (e.g. --lr \(lower)) or enable gradient clipping; \(checkpoint)")
    }
}
