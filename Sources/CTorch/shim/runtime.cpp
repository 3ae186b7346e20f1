// Scalpel — CTorch: errors, handle lifetimes, process-wide runtime settings and generators.
// SPDX-License-Identifier: Apache-2.0
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/headeronly/version.h>

#include "guard.hpp"
#include "handles.hpp"

std::atomic<int64_t> ctorch_live_tensors{0};

extern "C" {

const char *ctorch_error_message(ctorch_error error) { return error ? error->message.c_str() : ""; }
const char *ctorch_error_detail(ctorch_error error) { return error ? error->detail.c_str() : ""; }
void ctorch_error_free(ctorch_error error) { delete error; }

void ctorch_tensor_free(ctorch_tensor tensor) {
  if (tensor == nullptr) return;
  delete tensor;
  ctorch_live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int64_t ctorch_live_tensor_count(void) { return ctorch_live_tensors.load(std::memory_order_relaxed); }

const char *ctorch_version(void) { return TORCH_VERSION; }
void ctorch_set_num_threads(int32_t count) { at::set_num_threads(count); }
int32_t ctorch_get_num_threads(void) { return at::get_num_threads(); }
void ctorch_manual_seed(uint64_t seed) { at::manual_seed(seed); }
bool ctorch_cuda_is_available(void) { return at::hasCUDA() && at::getNumGPUs() > 0; }
int32_t ctorch_cuda_device_count(void) { return at::hasCUDA() ? static_cast<int32_t>(at::getNumGPUs()) : 0; }

bool ctorch_cuda_is_linked(void) {
#ifdef CTORCH_LINKS_CUDA
  return true;
#else
  return false;
#endif
}

ctorch_status ctorch_cuda_synchronize(int32_t device, ctorch_error *error) {
  return guarded(error, [&] {
    TORCH_CHECK(at::hasCUDA(), "CUDA is not available");
    at::detail::getCUDAHooks().deviceSynchronize(static_cast<c10::DeviceIndex>(device));
  });
}

ctorch_status ctorch_set_deterministic(bool enabled, ctorch_error *error) {
  return guarded(error, [&] { at::globalContext().setDeterministicAlgorithms(enabled, false); });
}

bool ctorch_is_grad_enabled(void) { return c10::GradMode::is_enabled(); }

bool ctorch_set_grad_enabled(bool enabled) {
  bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled);
  return previous;
}

ctorch_status ctorch_generator_new(uint64_t seed, ctorch_device device, ctorch_generator *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    at::Device target = toDevice(device);
    at::Generator generator = target.is_cuda()
                                  ? at::detail::getCUDAHooks().getNewGenerator(target.index())
                                  : at::make_generator<at::CPUGeneratorImpl>(seed);
    {
      std::lock_guard<std::mutex> lock(generator.mutex());
      generator.set_current_seed(seed);
    }
    *out = new ctorch_generator_{std::move(generator)};
  });
}

void ctorch_generator_free(ctorch_generator generator) { delete generator; }

ctorch_status ctorch_generator_get_state(ctorch_generator generator, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(generator != nullptr, "generator is missing");
    std::lock_guard<std::mutex> lock(generator->generator.mutex());
    *out = wrap(generator->generator.get_state());
  });
}

ctorch_status ctorch_generator_set_state(ctorch_generator generator, ctorch_tensor state, ctorch_error *error) {
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(generator != nullptr, "generator is missing");
    std::lock_guard<std::mutex> lock(generator->generator.mutex());
    generator->generator.set_state(unwrap(state));
  });
}

ctorch_status ctorch_default_generator_get_state(ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    *out = wrap(generator.get_state());
  });
}

ctorch_status ctorch_default_generator_set_state(ctorch_tensor state, ctorch_error *error) {
  return guarded(error, [&] {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(unwrap(state));
  });
}

}  // extern "C"
