// Scalpel — CTorch: libtorch's fused multi-tensor optimizer kernels.
// SPDX-License-Identifier: Apache-2.0
#include "guard.hpp"
#include "handles.hpp"

extern "C" {

ctorch_status ctorch_fused_adam(const ctorch_tensor *params, const ctorch_tensor *grads, const ctorch_tensor *exp_avgs,
                                const ctorch_tensor *exp_avg_sqs, const ctorch_tensor *max_exp_avg_sqs,
                                const ctorch_tensor *steps, size_t count, double lr, double beta1, double beta2,
                                double weight_decay, double eps, bool amsgrad, bool maximize,
                                bool decoupled_weight_decay, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    auto p = unwrapList(params, count);
    auto g = unwrapList(grads, count);
    auto m = unwrapList(exp_avgs, count);
    auto v = unwrapList(exp_avg_sqs, count);
    auto s = unwrapList(steps, count);
    std::vector<at::Tensor> vmax;
    if (amsgrad) vmax = unwrapList(max_exp_avg_sqs, count);
    if (decoupled_weight_decay) {
      at::_fused_adamw_(p, g, m, v, vmax, s, lr, beta1, beta2, weight_decay, eps, amsgrad, maximize);
    } else {
      at::_fused_adam_(p, g, m, v, vmax, s, lr, beta1, beta2, weight_decay, eps, amsgrad, maximize);
    }
  });
}

ctorch_status ctorch_fused_sgd(const ctorch_tensor *params, const ctorch_tensor *grads,
                               const ctorch_tensor *momentum_buffers, size_t count, double weight_decay,
                               double momentum, double lr, double dampening, bool nesterov, bool maximize,
                               bool first_step, ctorch_error *error) {
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    auto p = unwrapList(params, count);
    auto g = unwrapList(grads, count);
    std::vector<at::Tensor> buffers;
    if (momentum != 0) buffers = unwrapList(momentum_buffers, count);
    at::_fused_sgd_(p, g, buffers, weight_decay, momentum, lr, dampening, nesterov, maximize, first_step);
  });
}

}  // extern "C"
