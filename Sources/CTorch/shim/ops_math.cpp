// Scalpel — CTorch: element-wise math, comparisons, activations and reductions.
// SPDX-License-Identifier: Apache-2.0
#include "guard.hpp"
#include "handles.hpp"

namespace {

at::Tensor applyUnary(ctorch_unary_op op, const at::Tensor &x) {
  switch (op) {
    case CTORCH_NEG: return at::neg(x);
    case CTORCH_ABS: return at::abs(x);
    case CTORCH_EXP: return at::exp(x);
    case CTORCH_LOG: return at::log(x);
    case CTORCH_LOG2: return at::log2(x);
    case CTORCH_LOG1P: return at::log1p(x);
    case CTORCH_EXPM1: return at::expm1(x);
    case CTORCH_SQRT: return at::sqrt(x);
    case CTORCH_RSQRT: return at::rsqrt(x);
    case CTORCH_SQUARE: return at::square(x);
    case CTORCH_RECIPROCAL: return at::reciprocal(x);
    case CTORCH_SIN: return at::sin(x);
    case CTORCH_COS: return at::cos(x);
    case CTORCH_TAN: return at::tan(x);
    case CTORCH_TANH: return at::tanh(x);
    case CTORCH_ERF: return at::erf(x);
    case CTORCH_FLOOR: return at::floor(x);
    case CTORCH_CEIL: return at::ceil(x);
    case CTORCH_ROUND: return at::round(x);
    case CTORCH_TRUNC: return at::trunc(x);
    case CTORCH_SIGN: return at::sign(x);
    case CTORCH_LOGICAL_NOT: return at::logical_not(x);
    case CTORCH_ISNAN: return at::isnan(x);
    case CTORCH_ISINF: return at::isinf(x);
    case CTORCH_ISFINITE: return at::isfinite(x);
    case CTORCH_SIGMOID: return at::sigmoid(x);
    case CTORCH_RELU: return at::relu(x);
    case CTORCH_RELU6: return at::hardtanh(x, 0.0, 6.0);
    case CTORCH_SILU: return at::silu(x);
    case CTORCH_GELU: return at::gelu(x);
    case CTORCH_GELU_TANH: return at::gelu(x, "tanh");
    case CTORCH_HARDSWISH: return at::hardswish(x);
    case CTORCH_HARDSIGMOID: return at::hardsigmoid(x);
    case CTORCH_SOFTPLUS: return at::softplus(x);
    case CTORCH_MISH: return at::mish(x);
    case CTORCH_ELU: return at::elu(x);
  }
  TORCH_CHECK_VALUE(false, "unknown unary op code ", static_cast<int>(op));
}

at::Tensor applyBinary(ctorch_binary_op op, const at::Tensor &a, const at::Tensor &b) {
  switch (op) {
    case CTORCH_ADD: return at::add(a, b);
    case CTORCH_SUB: return at::sub(a, b);
    case CTORCH_MUL: return at::mul(a, b);
    case CTORCH_DIV: return at::div(a, b);
    case CTORCH_POW: return at::pow(a, b);
    case CTORCH_REMAINDER: return at::remainder(a, b);
    case CTORCH_FLOOR_DIVIDE: return at::div(a, b, "floor");
    case CTORCH_MAXIMUM: return at::maximum(a, b);
    case CTORCH_MINIMUM: return at::minimum(a, b);
    case CTORCH_ATAN2: return at::atan2(a, b);
    case CTORCH_EQ: return at::eq(a, b);
    case CTORCH_NE: return at::ne(a, b);
    case CTORCH_LT: return at::lt(a, b);
    case CTORCH_LE: return at::le(a, b);
    case CTORCH_GT: return at::gt(a, b);
    case CTORCH_GE: return at::ge(a, b);
    case CTORCH_LOGICAL_AND: return at::logical_and(a, b);
    case CTORCH_LOGICAL_OR: return at::logical_or(a, b);
    case CTORCH_LOGICAL_XOR: return at::logical_xor(a, b);
  }
  TORCH_CHECK_VALUE(false, "unknown binary op code ", static_cast<int>(op));
}

/// A 0-dim CPU tensor flagged as a wrapped number, so type promotion treats it as a Python scalar.
at::Tensor wrappedScalar(ctorch_scalar scalar) {
  at::Tensor t = scalar.is_integral ? at::scalar_tensor(static_cast<int64_t>(scalar.value), at::kLong)
                                    : at::scalar_tensor(scalar.value, at::kDouble);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

std::vector<int64_t> reductionDims(const at::Tensor &x, const int64_t *dims, size_t count) {
  std::vector<int64_t> list(dims, dims + count);
  if (list.empty())
    for (int64_t d = 0; d < x.dim(); ++d) list.push_back(d);
  return list;
}

at::OptionalIntArrayRef optionalDims(const int64_t *dims, size_t count) {
  if (count == 0) return std::nullopt;
  return at::IntArrayRef(dims, count);
}

}  // namespace

extern "C" {

ctorch_status ctorch_unary(ctorch_unary_op op, ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(applyUnary(op, unwrap(tensor))); });
}

ctorch_status ctorch_relu_inplace(ctorch_tensor tensor, ctorch_error *error) {
  return guarded(error, [&] {
    unwrap(tensor);
    tensor->tensor.relu_();
  });
}

ctorch_status ctorch_add_inplace(ctorch_tensor tensor, ctorch_tensor other, ctorch_error *error) {
  return guarded(error, [&] {
    unwrap(tensor);
    tensor->tensor.add_(unwrap(other));
  });
}

ctorch_status ctorch_leaky_relu(ctorch_tensor tensor, double slope, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::leaky_relu(unwrap(tensor), slope)); });
}

ctorch_status ctorch_binary(ctorch_binary_op op, ctorch_tensor lhs, ctorch_tensor rhs, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(applyBinary(op, unwrap(lhs), unwrap(rhs))); });
}

ctorch_status ctorch_binary_scalar(ctorch_binary_op op, ctorch_tensor tensor, ctorch_scalar scalar, bool scalar_first,
                                   ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &t = unwrap(tensor);
    auto s = wrappedScalar(scalar);
    *out = wrap(scalar_first ? applyBinary(op, s, t) : applyBinary(op, t, s));
  });
}

ctorch_status ctorch_matmul(ctorch_tensor lhs, ctorch_tensor rhs, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::matmul(unwrap(lhs), unwrap(rhs))); });
}

ctorch_status ctorch_clamp(ctorch_tensor tensor, bool has_min, double min, bool has_max, double max,
                           ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    std::optional<at::Scalar> low, high;
    if (has_min) low = min;
    if (has_max) high = max;
    TORCH_CHECK_VALUE(has_min || has_max, "clamp needs a lower bound, an upper bound or both");
    *out = wrap(at::clamp(unwrap(tensor), low, high));
  });
}

ctorch_status ctorch_where(ctorch_tensor condition, ctorch_tensor a, ctorch_tensor b, ctorch_tensor *out,
                           ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::where(unwrap(condition), unwrap(a), unwrap(b))); });
}

ctorch_status ctorch_masked_fill(ctorch_tensor tensor, ctorch_tensor mask, double value, ctorch_tensor *out,
                                 ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::masked_fill(unwrap(tensor), unwrap(mask), value)); });
}

ctorch_status ctorch_softmax(ctorch_tensor tensor, int64_t dim, bool log, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &t = unwrap(tensor);
    *out = wrap(log ? at::log_softmax(t, dim) : at::softmax(t, dim));
  });
}

ctorch_status ctorch_reduce(ctorch_reduce_op op, ctorch_tensor tensor, const int64_t *dims, size_t dim_count,
                            bool keepdim, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(tensor);
    auto list = reductionDims(x, dims, dim_count);
    at::Tensor result;
    switch (op) {
      case CTORCH_SUM: result = at::sum(x, list, keepdim); break;
      case CTORCH_MEAN: result = at::mean(x, list, keepdim); break;
      case CTORCH_AMAX: result = at::amax(x, list, keepdim); break;
      case CTORCH_AMIN: result = at::amin(x, list, keepdim); break;
      case CTORCH_LOGSUMEXP: result = at::logsumexp(x, list, keepdim); break;
      case CTORCH_ALL: result = at::all(x, at::OptionalIntArrayRef(list), keepdim); break;
      case CTORCH_ANY: result = at::any(x, at::OptionalIntArrayRef(list), keepdim); break;
      case CTORCH_PROD: {
        if (x.dim() == 0) {
          result = x.clone();
          break;
        }
        std::vector<int64_t> sorted;
        for (auto d : list) sorted.push_back(at::maybe_wrap_dim(d, x.dim()));
        std::sort(sorted.rbegin(), sorted.rend());
        result = x;
        for (auto d : sorted) result = at::prod(result, d, keepdim);
        break;
      }
      default: TORCH_CHECK_VALUE(false, "unknown reduction code ", static_cast<int>(op));
    }
    *out = wrap(result);
  });
}

ctorch_status ctorch_var(ctorch_tensor tensor, const int64_t *dims, size_t dim_count, double correction, bool keepdim,
                         bool standard_deviation, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(tensor);
    std::optional<at::Scalar> c = at::Scalar(correction);
    *out = wrap(standard_deviation ? at::std(x, optionalDims(dims, dim_count), c, keepdim)
                                   : at::var(x, optionalDims(dims, dim_count), c, keepdim));
  });
}

ctorch_status ctorch_norm(ctorch_tensor tensor, double p, const int64_t *dims, size_t dim_count, bool keepdim,
                          ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::linalg_vector_norm(unwrap(tensor), p, optionalDims(dims, dim_count), keepdim));
  });
}

ctorch_status ctorch_max_dim(ctorch_tensor tensor, int64_t dim, bool keepdim, bool minimum, ctorch_tensor *values,
                             ctorch_tensor *indices, ctorch_error *error) {
  *values = nullptr;
  *indices = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(tensor);
    wrapPair(minimum ? at::min(x, dim, keepdim) : at::max(x, dim, keepdim), values, indices);
  });
}

ctorch_status ctorch_argmax(ctorch_tensor tensor, bool has_dim, int64_t dim, bool keepdim, bool minimum,
                            ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(tensor);
    std::optional<int64_t> d;
    if (has_dim) d = dim;
    *out = wrap(minimum ? at::argmin(x, d, keepdim) : at::argmax(x, d, keepdim));
  });
}

ctorch_status ctorch_topk(ctorch_tensor tensor, int64_t k, int64_t dim, bool largest, bool sorted,
                          ctorch_tensor *values, ctorch_tensor *indices, ctorch_error *error) {
  *values = nullptr;
  *indices = nullptr;
  return guarded(error, [&] { wrapPair(at::topk(unwrap(tensor), k, dim, largest, sorted), values, indices); });
}

ctorch_status ctorch_sort(ctorch_tensor tensor, int64_t dim, bool descending, bool stable, ctorch_tensor *values,
                          ctorch_tensor *indices, ctorch_error *error) {
  *values = nullptr;
  *indices = nullptr;
  return guarded(error, [&] { wrapPair(at::sort(unwrap(tensor), stable, dim, descending), values, indices); });
}

ctorch_status ctorch_cumsum(ctorch_tensor tensor, int64_t dim, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::cumsum(unwrap(tensor), dim)); });
}

}  // extern "C"
