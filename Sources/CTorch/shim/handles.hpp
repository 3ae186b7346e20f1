// Scalpel — CTorch: handle wrapping and the conversions between our C enums and libtorch's types.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <vector>

#include "../include/CTorch.h"

struct ctorch_tensor_ {
  at::Tensor tensor;
};

struct ctorch_generator_ {
  at::Generator generator;
};

extern std::atomic<int64_t> ctorch_live_tensors;

/// A +1 handle owning `tensor`; NULL for an undefined tensor.
inline ctorch_tensor wrap(at::Tensor tensor) {
  if (!tensor.defined()) return nullptr;
  auto *handle = new ctorch_tensor_{std::move(tensor)};
  ctorch_live_tensors.fetch_add(1, std::memory_order_relaxed);
  return handle;
}

inline const at::Tensor &unwrap(ctorch_tensor handle) {
  TORCH_CHECK_VALUE(handle != nullptr, "a required tensor argument is missing (null handle)");
  TORCH_CHECK_VALUE(handle->tensor.defined(), "tensor argument is undefined");
  return handle->tensor;
}

inline std::optional<at::Tensor> unwrapOptional(ctorch_tensor handle) {
  if (handle == nullptr) return std::nullopt;
  return handle->tensor;
}

inline std::vector<at::Tensor> unwrapList(const ctorch_tensor *handles, size_t count) {
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (size_t i = 0; i < count; ++i) list.push_back(unwrap(handles[i]));
  return list;
}

inline std::optional<at::Generator> unwrapGenerator(ctorch_generator generator) {
  if (generator == nullptr) return std::nullopt;
  return generator->generator;
}

inline at::IntArrayRef dimsRef(const int64_t *dims, size_t count) {
  return at::IntArrayRef(dims, count);
}

inline at::ScalarType toScalarType(ctorch_dtype dtype) {
  switch (dtype) {
    case CTORCH_FLOAT32: return at::kFloat;
    case CTORCH_FLOAT64: return at::kDouble;
    case CTORCH_FLOAT16: return at::kHalf;
    case CTORCH_BFLOAT16: return at::kBFloat16;
    case CTORCH_INT64: return at::kLong;
    case CTORCH_INT32: return at::kInt;
    case CTORCH_INT16: return at::kShort;
    case CTORCH_INT8: return at::kChar;
    case CTORCH_UINT8: return at::kByte;
    case CTORCH_BOOL: return at::kBool;
  }
  TORCH_CHECK_VALUE(false, "unknown dtype code ", static_cast<int>(dtype));
}

inline ctorch_dtype fromScalarType(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return CTORCH_FLOAT32;
    case at::kDouble: return CTORCH_FLOAT64;
    case at::kHalf: return CTORCH_FLOAT16;
    case at::kBFloat16: return CTORCH_BFLOAT16;
    case at::kLong: return CTORCH_INT64;
    case at::kInt: return CTORCH_INT32;
    case at::kShort: return CTORCH_INT16;
    case at::kChar: return CTORCH_INT8;
    case at::kByte: return CTORCH_UINT8;
    case at::kBool: return CTORCH_BOOL;
    default: break;
  }
  TORCH_CHECK_TYPE(false, "dtype ", c10::toString(type), " is not supported by Scalpel");
}

inline at::Device toDevice(ctorch_device device) {
  switch (device.type) {
    case CTORCH_DEVICE_CPU: return at::Device(at::kCPU);
    case CTORCH_DEVICE_CUDA:
      TORCH_CHECK_VALUE(device.index >= 0, "CUDA device index must be >= 0, got ", device.index);
      TORCH_CHECK(at::hasCUDA(), "CUDA device cuda:", device.index,
                  " was requested but CUDA is not available (no NVIDIA GPU or driver, or this build does not "
                  "link torch_cuda: run scripts/setup --cuda and rebuild)");
      TORCH_CHECK_VALUE(device.index < at::getNumGPUs(), "CUDA device cuda:", device.index,
                        " does not exist; this machine has ", at::getNumGPUs(), " CUDA device(s)");
      return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device.index));
  }
  TORCH_CHECK_VALUE(false, "unknown device type code ", static_cast<int>(device.type));
}

inline ctorch_device fromDevice(const at::Device &device) {
  if (device.is_cuda()) return ctorch_device{CTORCH_DEVICE_CUDA, device.has_index() ? device.index() : 0};
  return ctorch_device{CTORCH_DEVICE_CPU, -1};
}

inline at::TensorOptions options(ctorch_dtype dtype, ctorch_device device) {
  return at::TensorOptions().dtype(toScalarType(dtype)).device(toDevice(device));
}

inline at::MemoryFormat toMemoryFormat(ctorch_memory_format format) {
  switch (format) {
    case CTORCH_CONTIGUOUS: return at::MemoryFormat::Contiguous;
    case CTORCH_CHANNELS_LAST: return at::MemoryFormat::ChannelsLast;
    case CTORCH_PRESERVE: return at::MemoryFormat::Preserve;
  }
  TORCH_CHECK_VALUE(false, "unknown memory format code ", static_cast<int>(format));
}

/// Stores two results, freeing nothing on failure because nothing was allocated before.
inline void wrapPair(std::tuple<at::Tensor, at::Tensor> pair, ctorch_tensor *first, ctorch_tensor *second) {
  *first = wrap(std::get<0>(pair));
  *second = wrap(std::get<1>(pair));
}
