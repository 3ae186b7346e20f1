// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

/// The element-wise function a fused convolution applies to its result (after the residual addition).
public enum FusedActivation: Sendable, Equatable, CaseIterable {
    case none, relu, relu6, silu, hardswish

    var code: ctorch_fused_activation {
        switch self {
        case .none: CTORCH_FUSED_NONE
        case .relu: CTORCH_FUSED_RELU
        case .relu6: CTORCH_FUSED_RELU6
        case .silu: CTORCH_FUSED_SILU
        case .hardswish: CTORCH_FUSED_HARDSWISH
        }
    }
}

/// Inference fusion through libtorch's oneDNN fused convolution operators (the
/// `mkldnn::_convolution_pointwise` family that PyTorch's inductor uses): batch norm folded into the
/// convolution, the activation and a residual addition applied by the convolution itself, weights
/// reordered once into oneDNN's layout.
public enum ConvolutionFusion {
    /// Whether this libtorch registers the fused operators (otherwise ``Tensor/fusedConv2d`` computes
    /// the same with separate operators).
    public static let isAvailable: Bool = ctorch_fused_conv2d_available()

    /// Folds an inference-mode batch norm into the convolution before it (computed in float64):
    /// `w' = w · γ/√(var + eps)` per output channel, `b' = (b − mean) · γ/√(var + eps) + β`.
    ///
    /// - Parameters:
    ///   - weight: the convolution's `[O, I/groups, kH, kW]` weight; `bias` its `[O]` bias or nil.
    ///   - runningMean, runningVariance: `[O]`; `scale` (γ) and `shift` (β) `[O]` or nil (1 and 0).
    /// - Returns: new tensors that do not require gradients; the arguments are unchanged.
    public static func foldBatchNorm(weight: Tensor, bias: Tensor?, runningMean: Tensor, runningVariance: Tensor,
                                     scale: Tensor?, shift: Tensor?, eps: Double) throws -> (weight: Tensor, bias: Tensor) {
        try withExtendedLifetime((weight, bias, runningMean, runningVariance, scale, shift)) {
            try shimTensorPair {
                ctorch_fold_batch_norm(weight.rawHandle, bias?.rawHandle, runningMean.rawHandle,
                                       runningVariance.rawHandle, scale?.rawHandle, shift?.rawHandle, eps, $0, $1, $2)
            }
        }
    }

    /// `weight` reordered once into oneDNN's preferred layout for inputs of `inputShape` (`[N, C, H, W]`):
    /// an opaque tensor that only ``Tensor/fusedConv2d`` accepts (as `packedWeight`).
    public static func prepack(weight: Tensor, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
                               groups: Int, inputShape: [Int]) throws -> Tensor {
        precondition(inputShape.count == 4, "prepack needs an [N, C, H, W] input shape")
        let s = [Int64(stride.0), Int64(stride.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        let d = [Int64(dilation.0), Int64(dilation.1)]
        let sizes = inputShape.map(Int64.init)
        return try withExtendedLifetime(weight) { try shimTensor { ctorch_prepack_conv2d_weight(weight.rawHandle, s, p, d, Int64(groups), sizes, $0, $1) } }
    }

    /// `weight · γ/√(var + eps)` along the input channels (groups 1), computed in float64: a convolution's
    /// weight with the scale of the inference batch norm *before* it folded in, the weight that
    /// ``Tensor/fusedPreactivatedConv2d`` differentiates with. `scale` (γ) nil means 1.
    public static func scaleInputChannels(weight: Tensor, runningVariance: Tensor, scale: Tensor?,
                                          eps: Double) throws -> Tensor {
        try withExtendedLifetime((weight, runningVariance, scale)) {
            try shimTensor {
                ctorch_scale_conv2d_input_channels(weight.rawHandle, runningVariance.rawHandle, scale?.rawHandle, eps,
                                                   $0, $1)
            }
        }
    }

    /// A value that changes whenever one of `tensors` is written in place, replaced or reshaped (nil
    /// entries count as absent): tells whether a folded or prepacked copy is stale.
    public static func fingerprint(_ tensors: [Tensor?]) -> UInt64 {
        withOptionalHandles(tensors) { handles in
            handles.withUnsafeBufferPointer { ctorch_tensors_fingerprint($0.baseAddress, $0.count) }
        }
    }
}

extension Tensor {
    /// `activation(conv2d(self, weight, bias) + residual)` as one oneDNN operator where it can
    /// (float32 on the CPU), otherwise as libtorch's separate operators.
    ///
    /// Under autograd (grad mode on and `self` or `residual` requiring gradients) the result carries
    /// gradients to `self` and `residual` only: `weight` and `bias` must not require gradients.
    ///
    /// - Parameters:
    ///   - weight: dense `[O, I/groups, kH, kW]`; `packedWeight` the same from ``ConvolutionFusion/prepack``.
    ///   - residual: `[N, O, H', W']`, added before the activation, or nil.
    /// - Returns: `[N, O, H', W']`, in `self`'s memory format.
    public func fusedConv2d(weight: Tensor, packedWeight: Tensor? = nil, bias: Tensor?, residual: Tensor? = nil,
                            stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int,
                            activation: FusedActivation) throws -> Tensor {
        let s = [Int64(stride.0), Int64(stride.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        let d = [Int64(dilation.0), Int64(dilation.1)]
        return try withExtendedLifetime((weight, packedWeight, bias, residual)) {
            try shimTensor {
                ctorch_fused_conv2d(rawHandle, residual?.rawHandle, weight.rawHandle, packedWeight?.rawHandle,
                                    bias?.rawHandle, s, p, d, Int64(groups), activation.code, $0, $1)
            }
        }
    }

    /// `activation(conv2d(relu(batchNorm(self)), weight, bias))` with an inference-mode batch norm before
    /// the convolution (DenseNet's pre-activation), as one autograd node where the fused operator applies.
    ///
    /// Under autograd the result carries a gradient to `self` only: `(z > 0) · conv_backward(g, scaledWeight)`
    /// with `z = relu(batchNorm(self))`, so the batch norm needs no backward pass of its own.
    ///
    /// - Parameters:
    ///   - runningMean, runningVariance, scale, shift, eps: the batch norm's (`scale` γ and `shift` β may be nil).
    ///   - weight: dense `[O, I, kH, kW]`; `packedWeight` the same from ``ConvolutionFusion/prepack``;
    ///     `scaledWeight` from ``ConvolutionFusion/scaleInputChannels(weight:runningVariance:scale:eps:)``.
    public func fusedPreactivatedConv2d(runningMean: Tensor, runningVariance: Tensor, scale: Tensor?, shift: Tensor?,
                                        eps: Double, weight: Tensor, packedWeight: Tensor?, scaledWeight: Tensor,
                                        bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
                                        groups: Int, activation: FusedActivation) throws -> Tensor {
        let s = [Int64(stride.0), Int64(stride.1)]
        let p = [Int64(padding.0), Int64(padding.1)]
        let d = [Int64(dilation.0), Int64(dilation.1)]
        return try withExtendedLifetime((runningMean, runningVariance, scale, shift, weight, packedWeight, scaledWeight,
                                         bias)) {
            try shimTensor {
                ctorch_fused_preactivated_conv2d(rawHandle, runningMean.rawHandle, runningVariance.rawHandle,
                                                 scale?.rawHandle, shift?.rawHandle, eps, weight.rawHandle,
                                                 packedWeight?.rawHandle, scaledWeight.rawHandle, bias?.rawHandle, s,
                                                 p, d, Int64(groups), activation.code, $0, $1)
            }
        }
    }
}
