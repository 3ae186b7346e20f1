// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// The eval-mode fast path for convolutions that no batch norm follows, and for DenseNet's
/// pre-activation order (batch norm, ReLU, convolution): see ``InferenceFusion``.
extension Conv2d {
    /// `activation(after(self(relu(before(input)))))` as one fused node, each batch norm optional, or nil
    /// when the fast path does not apply now (the caller then runs the modules one by one).
    ///
    /// It applies on the conditions of ``canFuse(with:input:)``, for `before` too: both batch norms
    /// normalise with their running statistics, and under autograd none of the parameters involved
    /// requires gradients while the input does. With `before`, the convolution must not be grouped.
    /// Under autograd the node's input gradient is `(z > 0) · conv_backward(g, w · γ/√(var + eps))` with
    /// `z = relu(before(input))`: the batch norm's scale rides on the convolution's weight, so it needs no
    /// backward pass of its own.
    public func fused(_ input: Tensor, preActivatedBy before: BatchNorm2d? = nil, normalizedBy after: BatchNorm2d? = nil,
                      activation: FusedActivation = .none) throws -> Tensor? {
        guard canRunFused(input, preActivatedBy: before, normalizedBy: after) else { return nil }
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
}
