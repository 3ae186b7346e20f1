// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// A trained network seen from pixel space: inputs are images `[N, C, H, W]` (float32) with values in
/// [0, 1] — the range the data pipeline produces *before* normalisation — and the run's normalisation
/// `(x − mean[c]) / std[c]` is applied inside. Every perturbation, budget and clip of this target is
/// therefore in [0, 1] pixel units (multiply by 255 for 8-bit units).
///
/// The network must already be in evaluation mode on `device`; its parameters are frozen here (an
/// attack never trains the model, and a frozen eval-mode network runs convolution + batch norm fused,
/// with the input's gradient from the fused path: `InferenceFusion`), so gradients reach the input only.
public final class PixelClassifier {
    public let network: any Layer
    /// Per-channel normalisation applied inside (`[C]`, one entry per input channel).
    public let mean: [Float]
    public let std: [Float]
    public let classCount: Int
    public let device: Device
    /// Images forwarded per batch when only predictions are needed.
    public var batchSize: Int
    private let meanTensor: Tensor
    private let stdTensor: Tensor

    /// The valid pixel range; perturbed images are clipped to it.
    public static let validRange: ClosedRange<Double> = 0...1

    public init(network: any Layer, mean: [Float], std: [Float], classCount: Int, device: Device = .cpu,
                batchSize: Int = 64) throws {
        guard !mean.isEmpty, mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
            throw AttackError("normalisation needs one positive deviation per mean, got mean \(mean), std \(std)")
        }
        guard classCount >= 2 else { throw AttackError("an attack needs a classifier with at least 2 classes, got \(classCount)") }
        if !network.parameters().isEmpty { try network.freeze(matching: .all) }
        self.network = network
        self.mean = mean
        self.std = std
        self.classCount = classCount
        self.device = device
        self.batchSize = max(1, batchSize)
        meanTensor = try Tensor(mean, shape: [1, mean.count, 1, 1]).to(device: device)
        stdTensor = try Tensor(std, shape: [1, std.count, 1, 1]).to(device: device)
    }

    public var channels: Int { mean.count }

    /// Logits `[N, classCount]` of pixel images `[N, C, H, W]` in [0, 1] (recorded for autograd when
    /// gradients are enabled).
    public func logits(_ pixels: Tensor) throws -> Tensor {
        guard pixels.rank == 4, pixels.shape[1] == channels else {
            throw AttackError("images must be [N, \(channels), H, W], got \(pixels.shape)")
        }
        return try network((pixels - meanTensor) / stdTensor)
    }

    /// Predicted classes (argmax of the logits) of `pixels`, in batches of ``batchSize``, without autograd.
    public func predictions(_ pixels: Tensor) throws -> [Int] {
        try withNoGrad {
            var classes: [Int] = []
            classes.reserveCapacity(pixels.shape[0])
            var start = 0
            while start < pixels.shape[0] {
                let end = min(start + batchSize, pixels.shape[0])
                let batch = try pixels.slice(axis: 0, start: start, end: end)
                classes += try logits(batch).argmax(axis: 1).hostArray(of: Int64.self).map { Int($0) }
                start = end
            }
            return classes
        }
    }

    /// Gradient `[N, C, H, W]` of the mean cross-entropy of `pixels` against `labels` with respect to
    /// the pixels (`torch.autograd.grad(CrossEntropyLoss()(model(x), y), x)`).
    public func lossGradient(_ pixels: Tensor, labels: [Int]) throws -> Tensor {
        guard labels.count == pixels.shape[0] else {
            throw AttackError("\(labels.count) labels for \(pixels.shape[0]) images")
        }
        guard labels.allSatisfy({ (0..<classCount).contains($0) }) else {
            throw AttackError("labels must be classes 0..<\(classCount), got \(labels.filter { !(0..<classCount).contains($0) }.prefix(3))")
        }
        return try withGrad {
            let input = try pixels.detached().requiringGradient()
            let targets = try Tensor(labels.map { Int64($0) }, shape: [labels.count]).to(device: device)
            let loss = try crossEntropy(logits: logits(input), targets: targets)
            return try gradients(of: loss, withRespectTo: [input])[0]
        }
    }
}
