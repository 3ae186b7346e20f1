// Scalpel — CTorch: tensor creation, metadata, host copies, conversions and in-place updates.
// SPDX-License-Identifier: Apache-2.0
#include <c10/core/GradMode.h>

#include <cstring>

#include "guard.hpp"
#include "handles.hpp"

extern "C" {

ctorch_status ctorch_full(const int64_t *dims, size_t ndim, double value, ctorch_dtype dtype, ctorch_device device,
                          ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::full(dimsRef(dims, ndim), value, options(dtype, device))); });
}

ctorch_status ctorch_empty(const int64_t *dims, size_t ndim, ctorch_dtype dtype, ctorch_device device,
                           ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::empty(dimsRef(dims, ndim), options(dtype, device))); });
}

ctorch_status ctorch_arange(double start, double end, double step, ctorch_dtype dtype, ctorch_device device,
                            ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::arange(start, end, step, options(dtype, device))); });
}

ctorch_status ctorch_linspace(double start, double end, int64_t steps, ctorch_dtype dtype, ctorch_device device,
                              ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::linspace(start, end, steps, options(dtype, device))); });
}

ctorch_status ctorch_eye(int64_t n, ctorch_dtype dtype, ctorch_device device, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::eye(n, options(dtype, device))); });
}

ctorch_status ctorch_rand(const int64_t *dims, size_t ndim, ctorch_generator generator, ctorch_dtype dtype,
                          ctorch_device device, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::rand(dimsRef(dims, ndim), unwrapGenerator(generator), options(dtype, device)));
  });
}

ctorch_status ctorch_randn(const int64_t *dims, size_t ndim, ctorch_generator generator, ctorch_dtype dtype,
                           ctorch_device device, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::randn(dimsRef(dims, ndim), unwrapGenerator(generator), options(dtype, device)));
  });
}

ctorch_status ctorch_randint(int64_t low, int64_t high, const int64_t *dims, size_t ndim, ctorch_generator generator,
                             ctorch_dtype dtype, ctorch_device device, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::randint(low, high, dimsRef(dims, ndim), unwrapGenerator(generator), options(dtype, device)));
  });
}

ctorch_status ctorch_randperm(int64_t n, ctorch_generator generator, ctorch_device device, ctorch_tensor *out,
                              ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::randperm(n, unwrapGenerator(generator), options(CTORCH_INT64, device)));
  });
}

ctorch_status ctorch_bernoulli(ctorch_tensor like, double p, ctorch_generator generator, ctorch_tensor *out,
                               ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(p >= 0 && p <= 1, "bernoulli probability must be in [0, 1], got ", p);
    auto result = at::empty_like(unwrap(like), at::MemoryFormat::Contiguous);
    result.bernoulli_(p, unwrapGenerator(generator));
    *out = wrap(result);
  });
}

ctorch_status ctorch_from_host(const void *data, size_t byte_count, const int64_t *dims, size_t ndim,
                               ctorch_dtype dtype, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    auto result = at::empty(dimsRef(dims, ndim), at::TensorOptions().dtype(toScalarType(dtype)));
    size_t expected = static_cast<size_t>(result.numel()) * result.element_size();
    TORCH_CHECK_VALUE(byte_count == expected, "host buffer holds ", byte_count, " bytes but shape ", result.sizes(),
                      " of ", c10::toString(result.scalar_type()), " needs ", expected);
    if (expected > 0) {
      TORCH_CHECK_VALUE(data != nullptr, "host buffer is missing");
      std::memcpy(result.data_ptr(), data, expected);
    }
    *out = wrap(result);
  });
}

int64_t ctorch_tensor_ndim(ctorch_tensor tensor) { return tensor->tensor.dim(); }

void ctorch_tensor_sizes(ctorch_tensor tensor, int64_t *sizes, size_t capacity) {
  auto dims = tensor->tensor.sizes();
  for (size_t i = 0; i < capacity && i < dims.size(); ++i) sizes[i] = dims[i];
}

void ctorch_tensor_strides(ctorch_tensor tensor, int64_t *strides, size_t capacity) {
  auto values = tensor->tensor.strides();
  for (size_t i = 0; i < capacity && i < values.size(); ++i) strides[i] = values[i];
}

int64_t ctorch_tensor_numel(ctorch_tensor tensor) { return tensor->tensor.numel(); }
ctorch_device ctorch_tensor_device(ctorch_tensor tensor) { return fromDevice(tensor->tensor.device()); }

bool ctorch_tensor_is_contiguous(ctorch_tensor tensor, ctorch_memory_format format) {
  if (format == CTORCH_PRESERVE) return true;
  return tensor->tensor.is_contiguous(toMemoryFormat(format));
}

bool ctorch_tensor_requires_grad(ctorch_tensor tensor) { return tensor->tensor.requires_grad(); }
bool ctorch_tensor_is_leaf(ctorch_tensor tensor) { return tensor->tensor.is_leaf(); }

ctorch_status ctorch_tensor_dtype(ctorch_tensor tensor, ctorch_dtype *out, ctorch_error *error) {
  return guarded(error, [&] { *out = fromScalarType(unwrap(tensor).scalar_type()); });
}

bool ctorch_tensor_shares_storage(ctorch_tensor a, ctorch_tensor b) {
  return a->tensor.defined() && b->tensor.defined() && a->tensor.storage().is_alias_of(b->tensor.storage());
}

ctorch_status ctorch_copy_to_host(ctorch_tensor tensor, void *data, size_t byte_count, ctorch_error *error) {
  return guarded(error, [&] {
    auto host = unwrap(tensor).detach().to(at::kCPU).contiguous();
    size_t expected = static_cast<size_t>(host.numel()) * host.element_size();
    TORCH_CHECK_VALUE(byte_count == expected, "host buffer holds ", byte_count, " bytes but the tensor has ",
                      expected);
    if (expected > 0) std::memcpy(data, host.data_ptr(), expected);
  });
}

ctorch_status ctorch_item(ctorch_tensor tensor, double *out, ctorch_error *error) {
  return guarded(error, [&] {
    const auto &t = unwrap(tensor);
    TORCH_CHECK_VALUE(t.numel() == 1, "item() needs a tensor with exactly one element, got shape ", t.sizes());
    *out = t.item().toDouble();
  });
}

ctorch_status ctorch_to_dtype(ctorch_tensor tensor, ctorch_dtype dtype, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).to(toScalarType(dtype))); });
}

ctorch_status ctorch_to_device(ctorch_tensor tensor, ctorch_device device, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).to(toDevice(device))); });
}

ctorch_status ctorch_to_device_non_blocking(ctorch_tensor tensor, ctorch_device device, bool non_blocking,
                                            ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).to(toDevice(device), non_blocking)); });
}

ctorch_status ctorch_pin_memory(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).pin_memory()); });
}

bool ctorch_is_pinned(ctorch_tensor tensor) {
  try {
    return unwrap(tensor).is_pinned();
  } catch (...) {
    return false;
  }
}

ctorch_status ctorch_contiguous(ctorch_tensor tensor, ctorch_memory_format format, ctorch_tensor *out,
                                ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &t = unwrap(tensor);
    // libtorch's contiguous() rejects Preserve; here it means "dense in the layout the tensor already suggests".
    auto memoryFormat = format == CTORCH_PRESERVE ? t.suggest_memory_format() : toMemoryFormat(format);
    *out = wrap(t.contiguous(memoryFormat));
  });
}

ctorch_status ctorch_clone(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).clone()); });
}

ctorch_status ctorch_alias(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor)); });
}

ctorch_status ctorch_copy_(ctorch_tensor destination, ctorch_tensor source, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    auto &dst = destination->tensor;
    const auto &src = unwrap(source);
    TORCH_CHECK_VALUE(dst.sizes() == src.sizes(), "copy in place: destination has shape ", dst.sizes(),
                      " but source has shape ", src.sizes());
    dst.copy_(src);
  });
}

ctorch_status ctorch_fill_(ctorch_tensor tensor, double value, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    tensor->tensor.fill_(value);
  });
}

ctorch_status ctorch_add_(ctorch_tensor tensor, ctorch_tensor other, double alpha, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    tensor->tensor.add_(unwrap(other), alpha);
  });
}

ctorch_status ctorch_mul_scalar_(ctorch_tensor tensor, double factor, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    tensor->tensor.mul_(factor);
  });
}

ctorch_status ctorch_uniform_(ctorch_tensor tensor, double low, double high, ctorch_generator generator,
                              ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    tensor->tensor.uniform_(low, high, unwrapGenerator(generator));
  });
}

ctorch_status ctorch_normal_(ctorch_tensor tensor, double mean, double std, ctorch_generator generator,
                             ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    tensor->tensor.normal_(mean, std, unwrapGenerator(generator));
  });
}

ctorch_status ctorch_set_data(ctorch_tensor tensor, ctorch_tensor data, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    tensor->tensor.set_data(unwrap(data));
  });
}

}  // extern "C"
