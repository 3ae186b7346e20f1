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
    ///
    /// - Parameter precision: the forward pass's arithmetic: `.bf16` runs it under autocast (weights
    ///   stay float32; logits are cast back to float32 before the softmax).
    public static func collect(model: any Layer, loader: DataLoader, device: Device, channelsLast: Bool,
                               loss: TaskLoss?, precision: Precision = .fp32) throws -> Predictions {
        var steps = try StepSource(loader: loader, epoch: 0, cache: nil, device: device, channelsLast: channelsLast)
        let forward: (Tensor) throws -> Tensor = precision == .fp32 ? { try model($0) } : {
            input in try withAutocast(precision, device: device) { try model(input) }.to(dtype: .float32)
        }
        return try collect(model: model, steps: &steps, forward: forward, dataset: loader.dataset, loss: loss)
    }

    /// Collects `forward`'s probabilities over `steps` (images, or cached frozen features with
    /// `forward` the model above them), with `model` in evaluation mode and no gradients.
    static func collect(model: any Layer, steps: inout StepSource, forward: (Tensor) throws -> Tensor,
                        dataset: any ImageDataset, loss: TaskLoss?) throws -> Predictions {
        var result = Predictions(task: dataset.task, classNames: dataset.classNames, sampleIDs: [], labels: [],
                                 probabilities: [], loss: nil, skipped: [])
        let classes = dataset.classNames.count
        var lossSum = 0.0
        model.setMode(.evaluation)
        try withNoGrad {
            while let step = try steps.next() {
                result.skipped += step.skipped
                guard step.count > 0 else { continue }
                let logits = try forward(step.input)
                guard logits.shape == [step.count, classes] else {
                    throw TrainingError.data(
                        "the model gives \(logits.shape) outputs for a batch of \(step.count), but \(dataset.source) has \(classes) classes")
                }
                if let loss { lossSum += try loss(logits: logits, targets: step.targets).item() * Double(step.count) }
                let probabilities = dataset.task == .multiLabel ? try logits.sigmoid() : try logits.softmax(axis: 1)
                let values = try probabilities.to(dtype: .float64).to(device: .cpu).hostArray(of: Double.self)
                for row in 0..<step.count {
                    result.probabilities.append(Array(values[row * classes ..< (row + 1) * classes]))
                }
                result.labels += step.labels
                result.sampleIDs += step.sampleIDs
            }
        }
        if loss != nil, result.count > 0 { result.loss = lossSum / Double(result.count) }
        return result
    }
}
