/* Scalpel — CTorch optimizer kernels: libtorch's fused multi-tensor SGD and Adam/AdamW steps.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_OPTIM_H
#define CTORCH_OPTIM_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One Adam (or AdamW when `decoupled_weight_decay`) step over `count` parameters. Each `steps` entry is a
 * float32 scalar tensor holding the step number *after* this update (the caller increments it). */
CTORCH_MUST_CHECK ctorch_status ctorch_fused_adam(const ctorch_tensor *params, const ctorch_tensor *grads,
                                                  const ctorch_tensor *exp_avgs, const ctorch_tensor *exp_avg_sqs,
                                                  const ctorch_tensor *max_exp_avg_sqs, const ctorch_tensor *steps,
                                                  size_t count, double lr, double beta1, double beta2,
                                                  double weight_decay, double eps, bool amsgrad, bool maximize,
                                                  bool decoupled_weight_decay, ctorch_error *error);
/** One SGD step; momentum buffers are initialised from the gradient when `first_step`. */
CTORCH_MUST_CHECK ctorch_status ctorch_fused_sgd(const ctorch_tensor *params, const ctorch_tensor *grads,
                                                 const ctorch_tensor *momentum_buffers, size_t count,
                                                 double weight_decay, double momentum, double lr, double dampening,
                                                 bool nesterov, bool maximize, bool first_step, ctorch_error *error);

#ifdef __cplusplus
}
#endif
#endif
