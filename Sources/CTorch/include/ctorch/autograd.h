/* Scalpel — CTorch autograd: gradient flags, backward passes, gradients of any tensor.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_AUTOGRAD_H
#define CTORCH_AUTOGRAD_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a leaf tensor as requiring gradients (fails on non-leaf tensors when turning it off). */
CTORCH_MUST_CHECK ctorch_status ctorch_set_requires_grad(ctorch_tensor tensor, bool requires_grad,
                                                         ctorch_error *error);
/** The accumulated .grad; *out is NULL when there is none. */
CTORCH_MUST_CHECK ctorch_status ctorch_grad(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);
/** Drops the accumulated gradient (set_to_none), or zeroes it in place when !set_to_none. */
CTORCH_MUST_CHECK ctorch_status ctorch_zero_grad(ctorch_tensor tensor, bool set_to_none, ctorch_error *error);
/** Asks autograd to keep .grad on a non-leaf tensor. */
CTORCH_MUST_CHECK ctorch_status ctorch_retain_grad(ctorch_tensor tensor, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_detach(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);
/** Backward from `tensor` (a scalar unless `gradient` is given), accumulating into leaves' .grad. */
CTORCH_MUST_CHECK ctorch_status ctorch_backward(ctorch_tensor tensor, ctorch_tensor gradient, bool retain_graph,
                                                bool create_graph, ctorch_error *error);
/** Gradients of `outputs` (weighted by `grad_outputs`, which may be NULL) with respect to `inputs`, leaves or
 * intermediate activations alike, without touching .grad. `results` receives `input_count` handles; an input
 * that the outputs do not depend on yields NULL when allow_unused. */
CTORCH_MUST_CHECK ctorch_status ctorch_autograd_grad(const ctorch_tensor *outputs, size_t output_count,
                                                     const ctorch_tensor *inputs, size_t input_count,
                                                     const ctorch_tensor *grad_outputs, bool retain_graph,
                                                     bool create_graph, bool allow_unused, ctorch_tensor *results,
                                                     ctorch_error *error);

#ifdef __cplusplus
}
#endif
#endif
