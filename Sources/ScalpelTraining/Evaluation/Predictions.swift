// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import Torch
import TorchNN

/// A model's class probabilities on a dataset, sample by sample: softmax for single-label tasks,
/// sigmoid per label for multi-label ones.
public struct Predictions: Sendable, Equatable, Codable {
    public var task: ClassificationTask
    public var classNames: [String]
    public var sampleIDs: [String]
    /// One class index, or one 0/1 per class (multi-label), per sample.
    public var labels: [[Int]]
    /// One probability per class per sample.
    public var probabilities: [[Double]]
    /// The mean loss over the samples (nil when no loss was computed).
    public var loss: Double?
    /// Samples left out because their image could not be read (`--on-bad-image skip`), with the reason.
    public var skipped: [String]

    public var count: Int { sampleIDs.count }

    /// Single-label class indices.
    public var classLabels: [Int] { labels.map { $0.first ?? -1 } }

    /// Runs `model` in evaluation mode over every batch of `loader` (no gradients) and collects the
    /// probabilities, and the mean loss when `loss` is given.
    public static func collect(model: any Layer, loader: DataLoader, device: Device, channelsLast: Bool,
                               loss: TaskLoss?) throws -> Predictions {
        let dataset = loader.dataset
        let multiLabel = dataset.task == .multiLabel
        var result = Predictions(task: dataset.task, classNames: dataset.classNames, sampleIDs: [], labels: [],
                                 probabilities: [], loss: nil, skipped: [])
        var lossSum = 0.0
        model.setMode(.evaluation)
        try withNoGrad {
            var batches = loader.batches(epoch: 0)
            while let batch = try batches.next() {
                result.skipped += batch.skipped.map(\.description)
                guard batch.count > 0 else { continue }
                var images = try batch.images.to(device: device)
                if channelsLast { images = try images.contiguous(.channelsLast) }
                let logits = try model(images)
                let classes = logits.shape.last ?? 0
                guard logits.shape == [batch.count, dataset.classNames.count] else {
                    throw TrainingError.data(
                        "the model gives \(logits.shape) outputs for a batch of \(batch.count), but \(dataset.source) has \(dataset.classNames.count) classes")
                }
                if let loss {
                    lossSum += try loss(logits: logits, targets: batch.targets.to(device: device)).item() * Double(batch.count)
                }
                let probabilities = multiLabel ? try logits.sigmoid() : try logits.softmax(axis: 1)
                let values = try probabilities.to(dtype: .float64).to(device: .cpu).hostArray(of: Double.self)
                for row in 0..<batch.count {
                    result.probabilities.append(Array(values[row * classes ..< (row + 1) * classes]))
                }
                result.labels += batch.labels
                result.sampleIDs += batch.sampleIDs
            }
        }
        if loss != nil, result.count > 0 { result.loss = lossSum / Double(result.count) }
        return result
    }
}
