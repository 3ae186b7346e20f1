// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import Torch

/// The task's loss: cross-entropy for binary, multi-class and ordinal tasks (one logit per class),
/// binary cross-entropy with logits per label for multi-label tasks; optionally class-weighted.
public struct TaskLoss {
    public let task: ClassificationTask
    /// Per-class weights (cross-entropy) or per-label positive weights (multi-label), as resolved.
    public let weights: [Double]?
    private let weightTensor: Tensor?

    /// - Parameter classCounts: training samples per class (positives per label for multi-label
    ///   tasks), used by `.balanced`.
    public init(task: ClassificationTask, weighting: ClassWeighting, classCounts: [Int], sampleCount: Int,
                device: Device) throws {
        self.task = task
        let classes = classCounts.count
        switch weighting {
        case .none:
            weights = nil
        case .explicit(let values):
            guard values.count == classes else {
                throw TrainingError.invalidOption(
                    "class weights: \(values.count) given, but the task has \(classes) classes; give one weight per class, in class order")
            }
            weights = values
        case .balanced:
            if let empty = classCounts.firstIndex(where: { $0 == 0 }) {
                throw TrainingError.data(
                    "class weights 'balanced': class \(empty) has no training sample; give explicit weights or fix the training split")
            }
            if task == .multiLabel {
                weights = classCounts.map { Double(sampleCount - $0) / Double($0) }
            } else {
                weights = classCounts.map { Double(sampleCount) / (Double(classes) * Double($0)) }
            }
        }
        weightTensor = try weights.map { try Tensor($0.map(Float.init), shape: [classes]).to(device: device) }
    }

    /// The mean loss of a batch; `targets` are int64 class indices or float32 multi-hot rows.
    public func callAsFunction(logits: Tensor, targets: Tensor) throws -> Tensor {
        if task == .multiLabel {
            return try binaryCrossEntropyWithLogits(logits: logits, targets: targets, positiveWeight: weightTensor)
        }
        return try crossEntropy(logits: logits, targets: targets, classWeights: weightTensor)
    }
}
