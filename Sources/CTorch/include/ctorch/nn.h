/* Scalpel — CTorch neural-network functions: convolution, normalisation, pooling, resizing, dropout,
 * padding and losses. Optional tensors are passed as NULL.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_NN_H
#define CTORCH_NN_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ctorch_reduction { CTORCH_REDUCTION_NONE = 0, CTORCH_REDUCTION_MEAN, CTORCH_REDUCTION_SUM } ctorch_reduction;

typedef enum ctorch_pad_mode { CTORCH_PAD_CONSTANT = 0, CTORCH_PAD_REFLECT, CTORCH_PAD_REPLICATE } ctorch_pad_mode;

/** 2-D convolution; `stride`, `padding`, `dilation` each hold [height, width]. */
CTORCH_MUST_CHECK ctorch_status ctorch_conv2d(ctorch_tensor input, ctorch_tensor weight, ctorch_tensor bias,
                                              const int64_t *stride, const int64_t *padding,
                                              const int64_t *dilation, int64_t groups, ctorch_tensor *out,
                                              ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_linear(ctorch_tensor input, ctorch_tensor weight, ctorch_tensor bias,
                                              ctorch_tensor *out, ctorch_error *error);
/** Batch normalisation; in training mode it updates running_mean/running_var in place. */
CTORCH_MUST_CHECK ctorch_status ctorch_batch_norm(ctorch_tensor input, ctorch_tensor weight, ctorch_tensor bias,
                                                  ctorch_tensor running_mean, ctorch_tensor running_var,
                                                  bool training, double momentum, double eps, ctorch_tensor *out,
                                                  ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_max_pool2d(ctorch_tensor input, const int64_t *kernel, const int64_t *stride,
                                                  const int64_t *padding, const int64_t *dilation, bool ceil_mode,
                                                  ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_avg_pool2d(ctorch_tensor input, const int64_t *kernel, const int64_t *stride,
                                                  const int64_t *padding, bool ceil_mode, bool count_include_pad,
                                                  ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_adaptive_avg_pool2d(ctorch_tensor input, const int64_t *output_size,
                                                           ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_adaptive_max_pool2d(ctorch_tensor input, const int64_t *output_size,
                                                           ctorch_tensor *out, ctorch_error *error);
/** Resizes the last two dimensions to `size` ([height, width]) by nearest-neighbour or bilinear sampling. */
CTORCH_MUST_CHECK ctorch_status ctorch_interpolate(ctorch_tensor input, const int64_t *size, bool bilinear,
                                                   bool align_corners, bool antialias, ctorch_tensor *out,
                                                   ctorch_error *error);
/** Zeroes elements with probability p and scales the rest by 1/(1-p) when training. */
CTORCH_MUST_CHECK ctorch_status ctorch_dropout(ctorch_tensor input, double p, bool training,
                                               ctorch_generator generator, ctorch_tensor *out, ctorch_error *error);
/** Pads the last dimensions: `pads` = [left, right, top, bottom, ...] as torch.nn.functional.pad. */
CTORCH_MUST_CHECK ctorch_status ctorch_pad(ctorch_tensor input, const int64_t *pads, size_t count,
                                           ctorch_pad_mode mode, double value, ctorch_tensor *out,
                                           ctorch_error *error);

/** Cross-entropy on logits [N, C, ...] with class-index targets [N, ...] (int64) or class probabilities. */
CTORCH_MUST_CHECK ctorch_status ctorch_cross_entropy(ctorch_tensor input, ctorch_tensor target, ctorch_tensor weight,
                                                     ctorch_reduction reduction, int64_t ignore_index,
                                                     double label_smoothing, ctorch_tensor *out,
                                                     ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_bce_with_logits(ctorch_tensor input, ctorch_tensor target,
                                                       ctorch_tensor weight, ctorch_tensor pos_weight,
                                                       ctorch_reduction reduction, ctorch_tensor *out,
                                                       ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_mse_loss(ctorch_tensor input, ctorch_tensor target, ctorch_reduction reduction,
                                                ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_nll_loss(ctorch_tensor input, ctorch_tensor target, ctorch_tensor weight,
                                                ctorch_reduction reduction, int64_t ignore_index,
                                                ctorch_tensor *out, ctorch_error *error);

#ifdef __cplusplus
}
#endif
#endif
