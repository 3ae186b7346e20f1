// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// How a loss combines per-element values.
public enum LossReduction: Sendable {
    case none, mean, sum

    var cValue: ctorch_reduction {
        switch self {
        case .none: CTORCH_REDUCTION_NONE
        case .mean: CTORCH_REDUCTION_MEAN
        case .sum: CTORCH_REDUCTION_SUM
        }
    }
}

/// Cross-entropy between `logits` `[N, C]` and int64 class indices `[N]` (or class probabilities `[N, C]`),
/// as `torch.nn.functional.cross_entropy`.
///
/// - Parameters:
///   - classWeights: `[C]` rescaling weight per class (class-weighted loss).
///   - labelSmoothing: in [0, 1].
public func crossEntropy(logits: Tensor, targets: Tensor, classWeights: Tensor? = nil,
                         reduction: LossReduction = .mean, ignoreIndex: Int = -100,
                         labelSmoothing: Double = 0) throws -> Tensor {
    try withExtendedLifetime(classWeights) {
        try shimTensor {
            ctorch_cross_entropy(logits.rawHandle, targets.rawHandle, classWeights?.rawHandle, reduction.cValue,
                                 Int64(ignoreIndex), labelSmoothing, $0, $1)
        }
    }
}

/// Binary cross-entropy on logits (`torch.nn.functional.binary_cross_entropy_with_logits`): targets in
/// [0, 1] of the logits' shape; `positiveWeight` `[C]` weighs positive examples per label.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, weight: Tensor? = nil,
                                         positiveWeight: Tensor? = nil,
                                         reduction: LossReduction = .mean) throws -> Tensor {
    try withExtendedLifetime((weight, positiveWeight)) {
        try shimTensor {
            ctorch_bce_with_logits(logits.rawHandle, targets.rawHandle, weight?.rawHandle, positiveWeight?.rawHandle,
                                   reduction.cValue, $0, $1)
        }
    }
}

/// Mean squared error (`torch.nn.functional.mse_loss`).
public func meanSquaredError(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    try shimTensor { ctorch_mse_loss(input.rawHandle, target.rawHandle, reduction.cValue, $0, $1) }
}

/// Negative log-likelihood of log-probabilities `[N, C]` at int64 targets `[N]`.
public func negativeLogLikelihood(logProbabilities: Tensor, targets: Tensor, classWeights: Tensor? = nil,
                                  reduction: LossReduction = .mean, ignoreIndex: Int = -100) throws -> Tensor {
    try withExtendedLifetime(classWeights) {
        try shimTensor {
            ctorch_nll_loss(logProbabilities.rawHandle, targets.rawHandle, classWeights?.rawHandle, reduction.cValue,
                            Int64(ignoreIndex), $0, $1)
        }
    }
}
