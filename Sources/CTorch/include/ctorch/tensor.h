/* Scalpel — CTorch tensors: creation, metadata, host copies, conversions and the few in-place updates
 * (loading, optimizer steps, initialisation).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_TENSOR_H
#define CTORCH_TENSOR_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creation. `dims` has `ndim` entries; a NULL generator means libtorch's default one. */
CTORCH_MUST_CHECK ctorch_status ctorch_full(const int64_t *dims, size_t ndim, double value, ctorch_dtype dtype,
                                            ctorch_device device, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_empty(const int64_t *dims, size_t ndim, ctorch_dtype dtype,
                                             ctorch_device device, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_arange(double start, double end, double step, ctorch_dtype dtype,
                                              ctorch_device device, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_linspace(double start, double end, int64_t steps, ctorch_dtype dtype,
                                                ctorch_device device, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_eye(int64_t n, ctorch_dtype dtype, ctorch_device device, ctorch_tensor *out,
                                           ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_rand(const int64_t *dims, size_t ndim, ctorch_generator generator,
                                            ctorch_dtype dtype, ctorch_device device, ctorch_tensor *out,
                                            ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_randn(const int64_t *dims, size_t ndim, ctorch_generator generator,
                                             ctorch_dtype dtype, ctorch_device device, ctorch_tensor *out,
                                             ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_randint(int64_t low, int64_t high, const int64_t *dims, size_t ndim,
                                               ctorch_generator generator, ctorch_dtype dtype, ctorch_device device,
                                               ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_randperm(int64_t n, ctorch_generator generator, ctorch_device device,
                                                ctorch_tensor *out, ctorch_error *error);
/** Bernoulli draws with probability `p` in the shape of `like`. */
CTORCH_MUST_CHECK ctorch_status ctorch_bernoulli(ctorch_tensor like, double p, ctorch_generator generator,
                                                 ctorch_tensor *out, ctorch_error *error);
/** Copies `byte_count` bytes of host memory, laid out contiguously in `dtype`, into a new CPU tensor. */
CTORCH_MUST_CHECK ctorch_status ctorch_from_host(const void *data, size_t byte_count, const int64_t *dims,
                                                 size_t ndim, ctorch_dtype dtype, ctorch_tensor *out,
                                                 ctorch_error *error);

/* Metadata. These cannot fail on a valid handle. */
int64_t ctorch_tensor_ndim(ctorch_tensor tensor);
/** Writes min(ndim, capacity) sizes. */
void ctorch_tensor_sizes(ctorch_tensor tensor, int64_t *sizes, size_t capacity);
void ctorch_tensor_strides(ctorch_tensor tensor, int64_t *strides, size_t capacity);
int64_t ctorch_tensor_numel(ctorch_tensor tensor);
ctorch_device ctorch_tensor_device(ctorch_tensor tensor);
bool ctorch_tensor_is_contiguous(ctorch_tensor tensor, ctorch_memory_format format);
bool ctorch_tensor_requires_grad(ctorch_tensor tensor);
bool ctorch_tensor_is_leaf(ctorch_tensor tensor);
/** Fails for dtypes the C API does not name. */
CTORCH_MUST_CHECK ctorch_status ctorch_tensor_dtype(ctorch_tensor tensor, ctorch_dtype *out, ctorch_error *error);
/** True when both handles view the same storage. */
bool ctorch_tensor_shares_storage(ctorch_tensor a, ctorch_tensor b);

/** Copies the elements, in row-major order, to host memory of exactly numel × element size bytes
 * (synchronises with the device). */
CTORCH_MUST_CHECK ctorch_status ctorch_copy_to_host(ctorch_tensor tensor, void *data, size_t byte_count,
                                                    ctorch_error *error);
/** The single value of a one-element tensor, as a double. */
CTORCH_MUST_CHECK ctorch_status ctorch_item(ctorch_tensor tensor, double *out, ctorch_error *error);

/* Conversions (new tensors; they may share storage when nothing has to change). */
CTORCH_MUST_CHECK ctorch_status ctorch_to_dtype(ctorch_tensor tensor, ctorch_dtype dtype, ctorch_tensor *out,
                                                ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_to_device(ctorch_tensor tensor, ctorch_device device, ctorch_tensor *out,
                                                 ctorch_error *error);
/** A copy to `device`; with `non_blocking`, a copy from pinned host memory to a GPU returns before it
    ends (the device stream orders it before later kernels). */
CTORCH_MUST_CHECK ctorch_status ctorch_to_device_non_blocking(ctorch_tensor tensor, ctorch_device device,
                                                              bool non_blocking, ctorch_tensor *out,
                                                              ctorch_error *error);
/** A copy of a CPU tensor in page-locked (pinned) host memory; needs a CUDA runtime. */
CTORCH_MUST_CHECK ctorch_status ctorch_pin_memory(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);
/** Whether the tensor lives in pinned host memory (false when that cannot be known). */
bool ctorch_is_pinned(ctorch_tensor tensor);
CTORCH_MUST_CHECK ctorch_status ctorch_contiguous(ctorch_tensor tensor, ctorch_memory_format format,
                                                  ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_clone(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);
/** A second handle to the same tensor (same autograd identity). */
CTORCH_MUST_CHECK ctorch_status ctorch_alias(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);

/* In-place updates, always outside autograd (they run under a no-grad guard). */
CTORCH_MUST_CHECK ctorch_status ctorch_copy_(ctorch_tensor destination, ctorch_tensor source, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_fill_(ctorch_tensor tensor, double value, ctorch_error *error);
/** tensor += alpha * other */
CTORCH_MUST_CHECK ctorch_status ctorch_add_(ctorch_tensor tensor, ctorch_tensor other, double alpha,
                                            ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_mul_scalar_(ctorch_tensor tensor, double factor, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_uniform_(ctorch_tensor tensor, double low, double high,
                                                ctorch_generator generator, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_normal_(ctorch_tensor tensor, double mean, double std,
                                               ctorch_generator generator, ctorch_error *error);
/** Replaces the tensor's data (shape and values) keeping its identity, as `param.data = other` does. */
CTORCH_MUST_CHECK ctorch_status ctorch_set_data(ctorch_tensor tensor, ctorch_tensor data, ctorch_error *error);

#ifdef __cplusplus
}
#endif
#endif
