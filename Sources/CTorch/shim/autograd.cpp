// Scalpel — CTorch: autograd flags, backward passes and gradients of arbitrary tensors.
// SPDX-License-Identifier: Apache-2.0
#include <torch/csrc/autograd/autograd.h>

#include "guard.hpp"
#include "handles.hpp"

extern "C" {

ctorch_status ctorch_set_requires_grad(ctorch_tensor tensor, bool requires_grad, ctorch_error *error) {
  return guarded(error, [&] {
    auto &t = tensor->tensor;
    TORCH_CHECK_VALUE(!requires_grad || t.is_floating_point(),
                      "only floating-point tensors can require gradients, this one is ", c10::toString(t.scalar_type()));
    t.set_requires_grad(requires_grad);
  });
}

ctorch_status ctorch_grad(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).grad()); });
}

ctorch_status ctorch_zero_grad(ctorch_tensor tensor, bool set_to_none, ctorch_error *error) {
  return guarded(error, [&] {
    auto &grad = tensor->tensor.mutable_grad();
    if (!grad.defined()) return;
    if (set_to_none) {
      grad.reset();
    } else {
      grad = grad.detach();
      grad.zero_();
    }
  });
}

ctorch_status ctorch_retain_grad(ctorch_tensor tensor, ctorch_error *error) {
  return guarded(error, [&] { unwrap(tensor).retain_grad(); });
}

ctorch_status ctorch_detach(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).detach()); });
}

ctorch_status ctorch_backward(ctorch_tensor tensor, ctorch_tensor gradient, bool retain_graph, bool create_graph,
                              ctorch_error *error) {
  return guarded(error, [&] {
    const auto &t = unwrap(tensor);
    TORCH_CHECK_VALUE(t.requires_grad(), "backward: the tensor does not require gradients (nothing it was computed "
                      "from requires them, or it was computed under no-grad)");
    at::Tensor g = gradient ? unwrap(gradient) : at::Tensor();
    TORCH_CHECK_VALUE(g.defined() || t.numel() == 1, "backward without an explicit gradient needs a scalar, got shape ",
                      t.sizes());
    t.backward(g, retain_graph, create_graph);
  });
}

ctorch_status ctorch_autograd_grad(const ctorch_tensor *outputs, size_t output_count, const ctorch_tensor *inputs,
                                   size_t input_count, const ctorch_tensor *grad_outputs, bool retain_graph,
                                   bool create_graph, bool allow_unused, ctorch_tensor *results, ctorch_error *error) {
  for (size_t i = 0; i < input_count; ++i) results[i] = nullptr;
  return guarded(error, [&] {
    auto outs = unwrapList(outputs, output_count);
    auto ins = unwrapList(inputs, input_count);
    std::vector<at::Tensor> weights;
    if (grad_outputs != nullptr) {
      for (size_t i = 0; i < output_count; ++i)
        weights.push_back(grad_outputs[i] ? grad_outputs[i]->tensor : at::Tensor());
    }
    auto grads = torch::autograd::grad(outs, ins, weights, retain_graph, create_graph, allow_unused);
    for (size_t i = 0; i < input_count; ++i) results[i] = wrap(grads[i]);
  });
}

}  // extern "C"
