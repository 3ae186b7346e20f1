/* Scalpel — CTorch inference fusion: batch norm folded into a convolution, and convolution fused with
 * its activation and a residual addition through oneDNN's fused operators (the
 * `mkldnn::_convolution_pointwise` family), with weights prepacked once into oneDNN's layout.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_FUSION_H
#define CTORCH_FUSION_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The element-wise function applied after a fused convolution (and after its residual addition). */
typedef enum ctorch_fused_activation {
  CTORCH_FUSED_NONE = 0,
  CTORCH_FUSED_RELU,
  CTORCH_FUSED_RELU6,
  CTORCH_FUSED_SILU,
  CTORCH_FUSED_HARDSWISH
} ctorch_fused_activation;

/** Whether this libtorch has the fused oneDNN convolution operators (registered and usable on this CPU). */
bool ctorch_fused_conv2d_available(void);

/** Folds an inference-mode batch norm into the convolution before it, in float64 then back to the
 *  weight's dtype: `w' = w · γ/√(var+eps)` per output channel, `b' = (b − mean) · γ/√(var+eps) + β`.
 *  `conv_bias`, `norm_weight` (γ) and `norm_bias` (β) may be NULL (0, 1, 0). The results are new tensors
 *  that do not require gradients; the inputs are unchanged. */
CTORCH_MUST_CHECK ctorch_status ctorch_fold_batch_norm(ctorch_tensor conv_weight, ctorch_tensor conv_bias,
                                                       ctorch_tensor running_mean, ctorch_tensor running_var,
                                                       ctorch_tensor norm_weight, ctorch_tensor norm_bias, double eps,
                                                       ctorch_tensor *out_weight, ctorch_tensor *out_bias,
                                                       ctorch_error *error);

/** Reorders a convolution weight once into oneDNN's preferred layout for inputs of `input_sizes`
 *  ([N, C, H, W]); the result is an opaque oneDNN tensor only the fused convolution accepts. */
CTORCH_MUST_CHECK ctorch_status ctorch_prepack_conv2d_weight(ctorch_tensor weight, const int64_t *stride,
                                                             const int64_t *padding, const int64_t *dilation,
                                                             int64_t groups, const int64_t *input_sizes,
                                                             ctorch_tensor *out, ctorch_error *error);

/** `activation(conv2d(input, weight, bias) + residual)`, the residual optional (NULL).
 *
 *  Without autograd (grad mode off, or neither input nor residual requiring gradients) it runs one
 *  oneDNN fused operator, with `packed_weight` (from ctorch_prepack_conv2d_weight) when given.
 *  Otherwise the result carries gradients to the input and the residual (never to weight or bias,
 *  which must not require them): for no activation, ReLU and ReLU6 the forward is still the fused
 *  operator with a backward that computes only the input gradient; for SiLU and hardswish it is
 *  libtorch's differentiable convolution followed by the activation. `weight` is the dense weight. */
CTORCH_MUST_CHECK ctorch_status ctorch_fused_conv2d(ctorch_tensor input, ctorch_tensor residual, ctorch_tensor weight,
                                                    ctorch_tensor packed_weight, ctorch_tensor bias,
                                                    const int64_t *stride, const int64_t *padding,
                                                    const int64_t *dilation, int64_t groups,
                                                    ctorch_fused_activation activation, ctorch_tensor *out,
                                                    ctorch_error *error);

/** `activation(conv2d(relu(batch_norm(input)), weight, bias))`: an inference-mode batch norm (running
 *  statistics `norm_mean`, `norm_var`; `norm_weight`, `norm_bias` may be NULL) and ReLU before the
 *  convolution, as in DenseNet's pre-activation layers, otherwise as ctorch_fused_conv2d (no residual).
 *  Under autograd the batch norm and ReLU are part of the fused node: its input gradient is
 *  `(z > 0) · conv_backward(g, scaled_weight)`, with `scaled_weight` from
 *  ctorch_scale_conv2d_input_channels, so the batch norm has no backward pass of its own. */
CTORCH_MUST_CHECK ctorch_status ctorch_fused_preactivated_conv2d(
    ctorch_tensor input, ctorch_tensor norm_mean, ctorch_tensor norm_var, ctorch_tensor norm_weight,
    ctorch_tensor norm_bias, double norm_eps, ctorch_tensor weight, ctorch_tensor packed_weight,
    ctorch_tensor scaled_weight, ctorch_tensor bias, const int64_t *stride, const int64_t *padding,
    const int64_t *dilation, int64_t groups, ctorch_fused_activation activation, ctorch_tensor *out,
    ctorch_error *error);

/** `weight · γ/√(var + eps)` along the input channels (dimension 1; groups 1), computed in float64:
 *  a convolution's weight with the per-channel scale of the inference batch norm before it folded in
 *  (`norm_weight`, γ, may be NULL). A new tensor that does not require gradients. */
CTORCH_MUST_CHECK ctorch_status ctorch_scale_conv2d_input_channels(ctorch_tensor weight, ctorch_tensor running_var,
                                                                   ctorch_tensor norm_weight, double eps,
                                                                   ctorch_tensor *out, ctorch_error *error);

/** A fingerprint of the tensors' identities and contents' versions (storage, version counter, shape):
 *  it changes whenever one of them is written in place, replaced (`set_data`) or reshaped. NULL
 *  entries count as absent. Used to know when a folded or prepacked copy is stale. */
uint64_t ctorch_tensors_fingerprint(const ctorch_tensor *tensors, size_t count);

#ifdef __cplusplus
}
#endif

#endif
