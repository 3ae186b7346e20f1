// Scalpel — CTorch: automatic mixed precision through at::autocast (thread-local, nestable).
// SPDX-License-Identifier: Apache-2.0
#include <ATen/autocast_mode.h>
#include <ATen/cpu/Utils.h>

#include "guard.hpp"
#include "handles.hpp"

namespace {
at::DeviceType toDeviceType(ctorch_device_type type) {
  return type == CTORCH_DEVICE_CUDA ? at::kCUDA : at::kCPU;
}
}  // namespace

extern "C" {

ctorch_status ctorch_autocast_enter(ctorch_device_type device_type, ctorch_dtype dtype,
                                    ctorch_autocast_state *previous, ctorch_error *error) {
  return guarded(error, [&] {
    at::DeviceType type = toDeviceType(device_type);
    at::ScalarType scalar = toScalarType(dtype);
    TORCH_CHECK_VALUE(scalar == at::kBFloat16 || scalar == at::kHalf,
                      "autocast runs in bfloat16 or float16, not ", scalar);
    TORCH_CHECK_VALUE(at::autocast::is_autocast_available(type), "autocast is not available on ", type);
    previous->enabled = at::autocast::is_autocast_enabled(type);
    previous->dtype = fromScalarType(at::autocast::get_autocast_dtype(type));
    at::autocast::set_autocast_dtype(type, scalar);
    at::autocast::set_autocast_enabled(type, true);
    at::autocast::increment_nesting();
  });
}

void ctorch_autocast_exit(ctorch_device_type device_type, ctorch_autocast_state previous) {
  at::DeviceType type = toDeviceType(device_type);
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_enabled(type, previous.enabled);
  at::autocast::set_autocast_dtype(type, toScalarType(previous.dtype));
}

bool ctorch_autocast_is_enabled(ctorch_device_type device_type) {
  return at::autocast::is_autocast_enabled(toDeviceType(device_type));
}

bool ctorch_cpu_has_native_bf16(void) {
  try {
    auto capabilities = at::cpu::get_cpu_capabilities();
    for (const char *key : {"avx512_bf16", "amx_bf16"}) {
      auto found = capabilities.find(key);
      if (found != capabilities.end() && found->second.isBool() && found->second.toBool()) return true;
    }
  } catch (...) {
  }
  return false;
}

}  // extern "C"
