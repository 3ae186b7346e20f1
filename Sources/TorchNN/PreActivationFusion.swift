// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// The eval-mode fast path for convolutions that no batch norm follows, and for DenseNet's
/// pre-activation order (batch norm, ReLU, convolution): see ``InferenceFusion``.
extension Conv2d {
    /// `activation(after(self(relu(before(input)))))` as one fused node, each batch norm optional, or nil
    /// when the fast path does not apply now (the caller then runs the modules one by one).
    ///
    /// It applies on the same conditions as ``canFuse(with:input:)``, for `before` too: both batch norms
    /// normalise with their running statistics, and under autograd none of the parameters involved
    /// requires gradients while the input does. With `before`, the convolution must not be grouped.
    /// Under autograd the node's input gradient is `(z > 0) · conv_backward(g, w · γ/√(var + eps))` with
    /// `z = relu(before(input))`: the batch norm's scale rides on the convolution's weight, so it needs no
    /// backward pass of its own.
    public func fused(_ input: Tensor, preActivatedBy before: BatchNorm2d? = nil, normalizedBy after: BatchNorm2d? = nil,
                      activation: FusedActivation = .none) throws -> Tensor? {
        // A batch norm that trains updates its statistics in place without a version bump: drop the fold.
        if let after, !after.usesRunningStatistics { folded = nil }
        if let before, !before.usesRunningStatistics { folded = nil }
        guard InferenceFusion.isEnabled, !isForwardObserverInstalled, input.rank == 4, input.dtype == weight.dtype,
              input.device == weight.device, !isAutocastEnabled(on: input.device),
              after.map({ $0.usesRunningStatistics && $0.featureCount == outputChannels }) ?? true,
              before.map({ $0.usesRunningStatistics && $0.featureCount == inputChannels && groups == 1 }) ?? true
        else { return nil }
        if isGradEnabled {
            let involved = [weight, bias, after?.weight, after?.bias, before?.weight, before?.bias]
            if involved.contains(where: { $0?.requiresGradient == true }) {
                folded = nil  // trained in place (see canFuse(with:input:)): a fold could go stale unseen
                return nil
            }
            guard input.requiresGradient else { return nil }
        }
        let plan = try foldedPlan(normalizedBy: after)
        let packed = try plan.packedWeight(for: self, inputShape: input.shape)
        guard let before else {
            return try input.fusedConv2d(weight: plan.weight, packedWeight: packed, bias: plan.bias, stride: stride.pair,
                                         padding: padding.pair, dilation: dilation.pair, groups: groups,
                                         activation: activation)
        }
        guard let mean = before.runningMean, let variance = before.runningVariance else { return nil }
        return try input.fusedPreactivatedConv2d(
            runningMean: mean, runningVariance: variance, scale: before.weight, shift: before.bias, eps: before.eps,
            weight: plan.weight, packedWeight: packed,
            scaledWeight: plan.inputScaledWeight(by: before, runningVariance: variance), bias: plan.bias,
            stride: stride.pair, padding: padding.pair, dilation: dilation.pair, groups: groups, activation: activation)
    }

    /// The folded copy for `norm` (or the detached weights themselves when no batch norm follows), reused
    /// while nothing it was made from changed.
    func foldedPlan(normalizedBy norm: BatchNorm2d?) throws -> FoldedConvolution {
        guard let norm, let mean = norm.runningMean, let variance = norm.runningVariance else {
            let fingerprint = ConvolutionFusion.fingerprint([weight, bias]) ^ 0x5ca1_9e1_0f01d  // never a fold's
            if let folded, folded.fingerprint == fingerprint { return folded }
            let plan = try FoldedConvolution(fingerprint: fingerprint, weight: weight.detached(), bias: bias?.detached())
            folded = plan
            return plan
        }
        let fingerprint = ConvolutionFusion.fingerprint([weight, bias, norm.weight, norm.bias, mean, variance])
            ^ norm.eps.bitPattern
        if let folded, folded.fingerprint == fingerprint { return folded }
        let (w, b) = try ConvolutionFusion.foldBatchNorm(weight: weight, bias: bias, runningMean: mean,
                                                         runningVariance: variance, scale: norm.weight,
                                                         shift: norm.bias, eps: norm.eps)
        let plan = FoldedConvolution(fingerprint: fingerprint, weight: w, bias: b)
        folded = plan
        return plan
    }
}
