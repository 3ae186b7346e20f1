// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Normalises each channel of an `[N, C, H, W]` input with batch or running statistics.
///
/// Equivalent to `torch.nn.BatchNorm2d`. State-dict keys, all `[featureCount]` `float32` unless noted:
/// `weight` and `bias` (parameters, if ``isAffine``), then `running_mean`, `running_var` and
/// `num_batches_tracked` (an `int64` scalar) (buffers, if ``tracksRunningStatistics``). Initialised as
/// PyTorch does: weight 1, bias 0, running mean 0, running variance 1, batches tracked 0.
///
/// In ``ModuleMode/training`` it normalises with the batch statistics, updates the running ones
/// (`running = (1 − momentum) · running + momentum · batch`, with the unbiased batch variance) and
/// adds one to `num_batches_tracked`. In ``ModuleMode/evaluation`` it normalises with the running
/// statistics and changes nothing.
///
/// ```swift
/// let norm = try BatchNorm2d(featureCount: 64)
/// norm.momentum = 0.01            // slower statistics for small medical datasets
/// norm.statisticsFrozen = true    // "frozen BN": running statistics even while training
/// ```
public final class BatchNorm2d: Layer, ModeDependent {
    public let featureCount: Int
    /// Added to the variance for numerical stability (`eps`).
    public let eps: Double
    /// Weight of the new batch statistics in the running ones; nil uses a cumulative average over all
    /// batches seen (`momentum=None`).
    public var momentum: Double?
    /// `weight` (γ), ones, requiring gradients; nil when not affine.
    public let weight: Tensor?
    /// `bias` (β), zeros, requiring gradients; nil when not affine.
    public let bias: Tensor?
    /// `running_mean`; nil when running statistics are not tracked.
    public let runningMean: Tensor?
    /// `running_var`; nil when running statistics are not tracked.
    public let runningVariance: Tensor?
    /// `num_batches_tracked`, an `int64` scalar; nil when running statistics are not tracked.
    public let batchesTracked: Tensor?
    public var mode: ModuleMode = .training
    /// When true, the layer normalises with its running statistics and never updates them, whatever
    /// its mode: batch normalisation "frozen" for fine-tuning on small batches. The affine parameters
    /// still train unless frozen with ``Module/freeze(matching:)``. Has no effect without running statistics.
    public var statisticsFrozen = false

    /// - Parameters:
    ///   - affine: whether to learn a per-channel scale and shift (`affine=`).
    ///   - trackRunningStatistics: whether to keep running statistics (`track_running_stats=`); without
    ///     them the layer always normalises with batch statistics.
    /// - Throws: ``TorchError`` if the tensors cannot be created.
    public init(featureCount: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStatistics: Bool = true) throws {
        precondition(featureCount > 0, "BatchNorm2d featureCount must be positive")
        precondition(eps > 0, "BatchNorm2d eps must be positive")
        precondition(momentum.map { $0 >= 0 && $0 <= 1 } ?? true, "BatchNorm2d momentum must be in [0, 1]")
        self.featureCount = featureCount
        self.eps = eps
        self.momentum = momentum
        weight = try affine ? Tensor.ones([featureCount]).requiringGradient() : nil
        bias = try affine ? Tensor.zeros([featureCount]).requiringGradient() : nil
        runningMean = try trackRunningStatistics ? Tensor.zeros([featureCount]) : nil
        runningVariance = try trackRunningStatistics ? Tensor.ones([featureCount]) : nil
        batchesTracked = try trackRunningStatistics ? Tensor.zeros([], dtype: .int64) : nil
    }

    public var isAffine: Bool { weight != nil }
    public var tracksRunningStatistics: Bool { runningMean != nil }

    public var namedParameters: [(String, Tensor)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }

    public var namedBuffers: [(String, Tensor)] {
        guard let runningMean, let runningVariance, let batchesTracked else { return [] }
        return [("running_mean", runningMean), ("running_var", runningVariance),
                ("num_batches_tracked", batchesTracked)]
    }

    /// - Parameter input: `[N, featureCount, H, W]`, same dtype and device as the layer.
    /// - Returns: the normalised input, same shape.
    /// - Throws: ``TorchError`` if the input is not 4-D, its channel count, dtype or device does not
    ///   match, or a training batch has a single value per channel. A failed call changes no statistics.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4 else {
            throw TorchError(kind: .invalidValue,
                             message: "BatchNorm2d expects a 4-D [N, C, H, W] input, got shape \(input.shape)",
                             operation: "BatchNorm2d.callAsFunction(_:)")
        }
        let updatesStatistics = mode == .training && !statisticsFrozen && tracksRunningStatistics
        // Batch statistics in training, and always when there are no running ones (as PyTorch).
        let usesBatchStatistics = (mode == .training && !statisticsFrozen) || !tracksRunningStatistics
        var factor = 0.0
        if updatesStatistics, let batchesTracked {
            if let momentum {
                factor = momentum
            } else {
                factor = try 1 / (batchesTracked.item() + 1)
            }
        }
        let output = try input.batchNorm(weight: weight, bias: bias, runningMean: runningMean,
                                         runningVariance: runningVariance, training: usesBatchStatistics,
                                         momentum: factor, eps: eps)
        if updatesStatistics, let batchesTracked {
            try batchesTracked.copyInPlace(from: batchesTracked + 1)
        }
        return notifyingObserver(input: input, output: output)
    }
}
