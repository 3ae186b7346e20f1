/* Scalpel — CTorch tensor operations: element-wise math, comparisons, reductions, shape and indexing,
 * linear algebra.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_OPS_H
#define CTORCH_OPS_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ctorch_unary_op {
  CTORCH_NEG = 0, CTORCH_ABS, CTORCH_EXP, CTORCH_LOG, CTORCH_LOG2, CTORCH_LOG1P, CTORCH_EXPM1,
  CTORCH_SQRT, CTORCH_RSQRT, CTORCH_SQUARE, CTORCH_RECIPROCAL, CTORCH_SIN, CTORCH_COS, CTORCH_TAN,
  CTORCH_TANH, CTORCH_ERF, CTORCH_FLOOR, CTORCH_CEIL, CTORCH_ROUND, CTORCH_TRUNC, CTORCH_SIGN,
  CTORCH_LOGICAL_NOT, CTORCH_ISNAN, CTORCH_ISINF, CTORCH_ISFINITE,
  /* activations */
  CTORCH_SIGMOID, CTORCH_RELU, CTORCH_RELU6, CTORCH_SILU, CTORCH_GELU, CTORCH_GELU_TANH,
  CTORCH_HARDSWISH, CTORCH_HARDSIGMOID, CTORCH_SOFTPLUS, CTORCH_MISH, CTORCH_ELU
} ctorch_unary_op;

typedef enum ctorch_binary_op {
  CTORCH_ADD = 0, CTORCH_SUB, CTORCH_MUL, CTORCH_DIV, CTORCH_POW, CTORCH_REMAINDER, CTORCH_FLOOR_DIVIDE,
  CTORCH_MAXIMUM, CTORCH_MINIMUM, CTORCH_ATAN2,
  CTORCH_EQ, CTORCH_NE, CTORCH_LT, CTORCH_LE, CTORCH_GT, CTORCH_GE,
  CTORCH_LOGICAL_AND, CTORCH_LOGICAL_OR, CTORCH_LOGICAL_XOR
} ctorch_binary_op;

typedef enum ctorch_reduce_op {
  CTORCH_SUM = 0, CTORCH_MEAN, CTORCH_PROD, CTORCH_AMAX, CTORCH_AMIN, CTORCH_LOGSUMEXP, CTORCH_ALL, CTORCH_ANY
} ctorch_reduce_op;

/** A scalar operand: integral ones keep integer tensors integral, as Python ints do. */
typedef struct ctorch_scalar {
  double value;
  bool is_integral;
} ctorch_scalar;

CTORCH_MUST_CHECK ctorch_status ctorch_unary(ctorch_unary_op op, ctorch_tensor tensor, ctorch_tensor *out,
                                             ctorch_error *error);
/** In-place ReLU and in-place addition, recorded by autograd like PyTorch's `relu_` / `add_` (so only
 * valid where the overwritten value is not needed for backward, e.g. a batch norm's output). */
CTORCH_MUST_CHECK ctorch_status ctorch_relu_inplace(ctorch_tensor tensor, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_add_inplace(ctorch_tensor tensor, ctorch_tensor other, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_leaky_relu(ctorch_tensor tensor, double slope, ctorch_tensor *out,
                                                  ctorch_error *error);
/** Element-wise with broadcasting. */
CTORCH_MUST_CHECK ctorch_status ctorch_binary(ctorch_binary_op op, ctorch_tensor lhs, ctorch_tensor rhs,
                                              ctorch_tensor *out, ctorch_error *error);
/** `tensor op scalar`, or `scalar op tensor` when scalar_first. */
CTORCH_MUST_CHECK ctorch_status ctorch_binary_scalar(ctorch_binary_op op, ctorch_tensor tensor, ctorch_scalar scalar,
                                                     bool scalar_first, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_matmul(ctorch_tensor lhs, ctorch_tensor rhs, ctorch_tensor *out,
                                              ctorch_error *error);
/** Clamps to [min, max]; each bound applies only when its has_ flag is set. */
CTORCH_MUST_CHECK ctorch_status ctorch_clamp(ctorch_tensor tensor, bool has_min, double min, bool has_max, double max,
                                             ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_where(ctorch_tensor condition, ctorch_tensor a, ctorch_tensor b,
                                             ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_masked_fill(ctorch_tensor tensor, ctorch_tensor mask, double value,
                                                   ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_softmax(ctorch_tensor tensor, int64_t dim, bool log, ctorch_tensor *out,
                                               ctorch_error *error);

/* Reductions. `dims` empty (count 0) reduces over all elements. */
CTORCH_MUST_CHECK ctorch_status ctorch_reduce(ctorch_reduce_op op, ctorch_tensor tensor, const int64_t *dims,
                                              size_t dim_count, bool keepdim, ctorch_tensor *out,
                                              ctorch_error *error);
/** Variance (or standard deviation when `standard_deviation`) with Bessel-style `correction`. */
CTORCH_MUST_CHECK ctorch_status ctorch_var(ctorch_tensor tensor, const int64_t *dims, size_t dim_count,
                                           double correction, bool keepdim, bool standard_deviation,
                                           ctorch_tensor *out, ctorch_error *error);
/** Vector p-norm over `dims` (all when empty). */
CTORCH_MUST_CHECK ctorch_status ctorch_norm(ctorch_tensor tensor, double p, const int64_t *dims, size_t dim_count,
                                            bool keepdim, ctorch_tensor *out, ctorch_error *error);
/** Maximum (or minimum) along `dim` with the indices where it occurs. */
CTORCH_MUST_CHECK ctorch_status ctorch_max_dim(ctorch_tensor tensor, int64_t dim, bool keepdim, bool minimum,
                                               ctorch_tensor *values, ctorch_tensor *indices, ctorch_error *error);
/** Index of the maximum (or minimum); over the flattened tensor when !has_dim. */
CTORCH_MUST_CHECK ctorch_status ctorch_argmax(ctorch_tensor tensor, bool has_dim, int64_t dim, bool keepdim,
                                              bool minimum, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_topk(ctorch_tensor tensor, int64_t k, int64_t dim, bool largest, bool sorted,
                                            ctorch_tensor *values, ctorch_tensor *indices, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_sort(ctorch_tensor tensor, int64_t dim, bool descending, bool stable,
                                            ctorch_tensor *values, ctorch_tensor *indices, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_cumsum(ctorch_tensor tensor, int64_t dim, ctorch_tensor *out,
                                              ctorch_error *error);

/* Shape and indexing. Views share storage with their input. */
CTORCH_MUST_CHECK ctorch_status ctorch_reshape(ctorch_tensor tensor, const int64_t *dims, size_t ndim,
                                               ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_permute(ctorch_tensor tensor, const int64_t *dims, size_t ndim,
                                               ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_transpose(ctorch_tensor tensor, int64_t dim0, int64_t dim1,
                                                 ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_expand(ctorch_tensor tensor, const int64_t *dims, size_t ndim,
                                              ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_repeat(ctorch_tensor tensor, const int64_t *repeats, size_t count,
                                              ctorch_tensor *out, ctorch_error *error);
/** Removes `dim` if it has size 1, or every size-1 dimension when !has_dim. */
CTORCH_MUST_CHECK ctorch_status ctorch_squeeze(ctorch_tensor tensor, bool has_dim, int64_t dim, ctorch_tensor *out,
                                               ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_unsqueeze(ctorch_tensor tensor, int64_t dim, ctorch_tensor *out,
                                                 ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_flatten(ctorch_tensor tensor, int64_t start_dim, int64_t end_dim,
                                               ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_flip(ctorch_tensor tensor, const int64_t *dims, size_t count,
                                            ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_cat(const ctorch_tensor *tensors, size_t count, int64_t dim,
                                           ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_stack(const ctorch_tensor *tensors, size_t count, int64_t dim,
                                             ctorch_tensor *out, ctorch_error *error);
/** Elements start..<end (step apart) along `dim`; negative bounds count from the end. */
CTORCH_MUST_CHECK ctorch_status ctorch_slice(ctorch_tensor tensor, int64_t dim, int64_t start, int64_t end,
                                             int64_t step, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_select(ctorch_tensor tensor, int64_t dim, int64_t index, ctorch_tensor *out,
                                              ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_index_select(ctorch_tensor tensor, int64_t dim, ctorch_tensor index,
                                                    ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_gather(ctorch_tensor tensor, int64_t dim, ctorch_tensor index,
                                              ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_scatter(ctorch_tensor tensor, int64_t dim, ctorch_tensor index,
                                               ctorch_tensor source, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_masked_select(ctorch_tensor tensor, ctorch_tensor mask, ctorch_tensor *out,
                                                     ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_nonzero(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_one_hot(ctorch_tensor tensor, int64_t class_count, ctorch_tensor *out,
                                               ctorch_error *error);

/* Linear algebra (float32 or float64 inputs). */
CTORCH_MUST_CHECK ctorch_status ctorch_svd(ctorch_tensor tensor, bool full_matrices, ctorch_tensor *u,
                                           ctorch_tensor *s, ctorch_tensor *vh, ctorch_error *error);
/** Eigen-decomposition of a symmetric matrix; eigenvalues ascending. */
CTORCH_MUST_CHECK ctorch_status ctorch_eigh(ctorch_tensor tensor, bool upper, ctorch_tensor *eigenvalues,
                                            ctorch_tensor *eigenvectors, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_qr(ctorch_tensor tensor, bool complete, ctorch_tensor *q, ctorch_tensor *r,
                                          ctorch_error *error);
/** Moore–Penrose pseudo-inverse; singular values below rtol × the largest are treated as zero
 * (rtol < 0 selects libtorch's default). */
CTORCH_MUST_CHECK ctorch_status ctorch_pinv(ctorch_tensor tensor, double rtol, bool hermitian, ctorch_tensor *out,
                                            ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_inv(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_cholesky(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error);

#ifdef __cplusplus
}
#endif
#endif
