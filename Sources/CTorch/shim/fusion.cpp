// Scalpel — CTorch: inference fusion through oneDNN's fused convolution operators (batch norm folding,
// convolution + activation (+ residual addition), prepacked weights), with an input-only backward.
// SPDX-License-Identifier: Apache-2.0
#include <ATen/Context.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/autograd/custom_function.h>

#include <optional>
#include <string_view>
#include <vector>

#include "guard.hpp"
#include "handles.hpp"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// `mkldnn::_convolution_pointwise`, looked up once through the dispatcher (not in ATen's public headers).
const auto &pointwiseOperator() {
  static const auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("mkldnn::_convolution_pointwise", "")
          .typed<at::Tensor(const at::Tensor &, const at::Tensor &, const std::optional<at::Tensor> &,
                            c10::IntArrayRef, c10::IntArrayRef, c10::IntArrayRef, int64_t, std::string_view,
                            c10::List<std::optional<c10::Scalar>>, std::optional<std::string_view>)>();
  return op;
}

/// `mkldnn::_convolution_pointwise.binary`: `unary(conv(x) + other)`.
const auto &binaryOperator() {
  static const auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("mkldnn::_convolution_pointwise", "binary")
          .typed<at::Tensor(const at::Tensor &, const at::Tensor &, const at::Tensor &,
                            const std::optional<at::Tensor> &, c10::IntArrayRef, c10::IntArrayRef, c10::IntArrayRef,
                            int64_t, std::string_view, std::optional<c10::Scalar>, std::optional<std::string_view>,
                            c10::List<std::optional<c10::Scalar>>, std::optional<std::string_view>)>();
  return op;
}

/// oneDNN's name and scalars for an activation ("none" for none).
std::pair<std::string_view, c10::List<std::optional<c10::Scalar>>> attribute(int64_t activation) {
  c10::List<std::optional<c10::Scalar>> scalars;
  switch (activation) {
    case CTORCH_FUSED_NONE: return {"none", scalars};
    case CTORCH_FUSED_RELU: return {"relu", scalars};
    case CTORCH_FUSED_RELU6:
      scalars.push_back(c10::Scalar(0.0));
      scalars.push_back(c10::Scalar(6.0));
      return {"hardtanh", scalars};
    case CTORCH_FUSED_SILU: return {"swish", scalars};
    case CTORCH_FUSED_HARDSWISH: return {"hardswish", scalars};
  }
  TORCH_CHECK_VALUE(false, "unknown fused activation code ", activation);
}

struct Geometry {
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups;
};

/// The fused operator itself, without autograd.
at::Tensor runFused(const at::Tensor &input, const at::Tensor &residual, const at::Tensor &weight,
                    const at::Tensor &bias, const Geometry &g, int64_t activation) {
  std::optional<at::Tensor> b = bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt;
  auto [name, scalars] = attribute(activation);
  if (!residual.defined()) {
    return pointwiseOperator().call(input, weight, b, g.padding, g.stride, g.dilation, g.groups, name, scalars,
                                    std::nullopt);
  }
  auto other = residual.contiguous(input.suggest_memory_format());
  // oneDNN fuses only ReLU after the addition; the other activations follow it in place.
  bool fusesActivation = activation == CTORCH_FUSED_RELU;
  std::optional<std::string_view> unary = fusesActivation ? std::optional<std::string_view>(name) : std::nullopt;
  auto y = binaryOperator().call(input, other, weight, b, g.padding, g.stride, g.dilation, g.groups, "add",
                                 std::nullopt, unary, fusesActivation ? scalars : c10::List<std::optional<c10::Scalar>>(),
                                 std::nullopt);
  switch (activation) {
    case CTORCH_FUSED_RELU6: return at::hardtanh_(y, 0, 6);
    case CTORCH_FUSED_SILU: return at::silu_(y);
    case CTORCH_FUSED_HARDSWISH: return at::hardswish_(y);
    default: return y;
  }
}

/// libtorch's differentiable composition, the reference the fused forms must equal.
at::Tensor runComposite(const at::Tensor &input, const at::Tensor &residual, const at::Tensor &weight,
                        const at::Tensor &bias, const Geometry &g, int64_t activation) {
  std::optional<at::Tensor> b = bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt;
  auto y = at::conv2d(input, weight, b, g.stride, g.padding, g.dilation, g.groups);
  if (residual.defined()) y = y + residual;
  switch (activation) {
    case CTORCH_FUSED_NONE: return y;
    case CTORCH_FUSED_RELU: return at::relu(y);
    case CTORCH_FUSED_RELU6: return at::hardtanh(y, 0, 6);
    case CTORCH_FUSED_SILU: return at::silu(y);
    case CTORCH_FUSED_HARDSWISH: return at::hardswish(y);
  }
  TORCH_CHECK_VALUE(false, "unknown fused activation code ", activation);
}

/// The fused forward with a backward to the input and the residual only (the weight and bias are
/// constants here). The activation's derivative is read from the output, so only the activations
/// whose derivative the output determines (none, ReLU, ReLU6) come here.
struct FusedConvolutionFunction : public torch::autograd::Function<FusedConvolutionFunction> {
  // Absent tensors come as empty optionals: autograd accepts no undefined tensor argument.
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &input, const std::optional<at::Tensor> &residualArg,
                            const at::Tensor &weight, const std::optional<at::Tensor> &packed,
                            const std::optional<at::Tensor> &biasArg, std::vector<int64_t> stride,
                            std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t groups,
                            int64_t activation) {
    Geometry g{stride, padding, dilation, groups};
    auto residual = residualArg.value_or(at::Tensor());
    auto bias = biasArg.value_or(at::Tensor());
    auto output = runFused(input, residual, packed.has_value() ? *packed : weight, bias, g, activation);
    ctx->save_for_backward({input, weight, output});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["dilation"] = dilation;
    ctx->saved_data["groups"] = groups;
    ctx->saved_data["activation"] = activation;
    ctx->saved_data["residual"] = residual.defined();
    return output;
  }

  static variable_list backward(AutogradContext *ctx, variable_list gradOutputs) {
    auto saved = ctx->get_saved_variables();
    const auto &input = saved[0], &weight = saved[1], &output = saved[2];
    auto grad = gradOutputs[0];
    switch (ctx->saved_data["activation"].toInt()) {
      case CTORCH_FUSED_RELU: grad = at::threshold_backward(grad, output, 0); break;
      case CTORCH_FUSED_RELU6: grad = at::hardtanh_backward(grad, output, 0, 6); break;
      default: break;
    }
    at::Tensor gradInput, gradResidual;
    if (ctx->needs_input_grad(0)) {
      auto stride = ctx->saved_data["stride"].toIntVector();
      auto padding = ctx->saved_data["padding"].toIntVector();
      auto dilation = ctx->saved_data["dilation"].toIntVector();
      std::vector<int64_t> outputPadding(stride.size(), 0);
      gradInput = std::get<0>(at::convolution_backward(grad, input, weight, std::nullopt, stride, padding, dilation,
                                                       false, outputPadding, ctx->saved_data["groups"].toInt(),
                                                       {true, false, false}));
    }
    // Edge 1 is the residual's when there is one (absent arguments have no edge).
    if (ctx->saved_data["residual"].toBool() && ctx->needs_input_grad(1)) gradResidual = grad;
    return {gradInput, gradResidual, at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

bool operatorsRegistered() {
  static const bool registered = [] {
    auto &dispatcher = c10::Dispatcher::singleton();
    return at::hasMKLDNN() && dispatcher.findSchema({"mkldnn::_convolution_pointwise", ""}).has_value() &&
           dispatcher.findSchema({"mkldnn::_convolution_pointwise", "binary"}).has_value();
  }();
  return registered;
}

}  // namespace

extern "C" {

bool ctorch_fused_conv2d_available(void) {
  try {
    return operatorsRegistered();
  } catch (...) {
    return false;
  }
}

ctorch_status ctorch_fold_batch_norm(ctorch_tensor conv_weight, ctorch_tensor conv_bias, ctorch_tensor running_mean,
                                     ctorch_tensor running_var, ctorch_tensor norm_weight, ctorch_tensor norm_bias,
                                     double eps, ctorch_tensor *out_weight, ctorch_tensor *out_bias,
                                     ctorch_error *error) {
  *out_weight = nullptr;
  *out_bias = nullptr;
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    const auto &w = unwrap(conv_weight);
    const auto &mean = unwrap(running_mean);
    const auto &var = unwrap(running_var);
    TORCH_CHECK_VALUE(w.dim() >= 2, "fold_batch_norm expects a convolution weight, got shape ", w.sizes());
    int64_t channels = w.size(0);
    TORCH_CHECK_VALUE(mean.numel() == channels && var.numel() == channels, "fold_batch_norm: the batch norm has ",
                      mean.numel(), " channels, the convolution ", channels, " outputs");
    auto scale = (var.to(at::kDouble) + eps).rsqrt();
    if (norm_weight != nullptr) scale = scale * unwrap(norm_weight).to(at::kDouble);
    auto shift = -mean.to(at::kDouble);
    if (conv_bias != nullptr) shift = shift + unwrap(conv_bias).to(at::kDouble);
    shift = shift * scale;
    if (norm_bias != nullptr) shift = shift + unwrap(norm_bias).to(at::kDouble);
    std::vector<int64_t> view(w.dim(), 1);
    view[0] = channels;
    auto folded = (w.to(at::kDouble) * scale.view(view)).to(w.scalar_type()).contiguous(w.suggest_memory_format());
    auto foldedBias = shift.to(w.scalar_type());
    *out_weight = wrap(folded.detach());
    *out_bias = wrap(foldedBias.detach());
  });
}

ctorch_status ctorch_prepack_conv2d_weight(ctorch_tensor weight, const int64_t *stride, const int64_t *padding,
                                           const int64_t *dilation, int64_t groups, const int64_t *input_sizes,
                                           ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    const auto &w = unwrap(weight);
    TORCH_CHECK_VALUE(w.dim() == 4 && w.scalar_type() == at::kFloat && w.device().is_cpu(),
                      "prepack_conv2d_weight expects a float32 CPU [O, I/groups, kH, kW] weight, got ", w.sizes());
    // `mkldnn::_reorder_convolution_weight` (dense CPU in, oneDNN tensor out), called boxed: rare.
    static const auto op =
        c10::Dispatcher::singleton().findSchemaOrThrow("mkldnn::_reorder_convolution_weight", "");
    auto vector = [](const int64_t *values, size_t count) { return std::vector<int64_t>(values, values + count); };
    c10::Stack stack{c10::IValue(w.detach().contiguous()), c10::IValue(vector(padding, 2)), c10::IValue(vector(stride, 2)),
                     c10::IValue(vector(dilation, 2)), c10::IValue(groups), c10::IValue(vector(input_sizes, 4))};
    op.callBoxed(&stack);
    *out = wrap(stack.at(0).toTensor());
  });
}

ctorch_status ctorch_fused_conv2d(ctorch_tensor input, ctorch_tensor residual, ctorch_tensor weight,
                                  ctorch_tensor packed_weight, ctorch_tensor bias, const int64_t *stride,
                                  const int64_t *padding, const int64_t *dilation, int64_t groups,
                                  ctorch_fused_activation activation, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    const auto &w = unwrap(weight);
    at::Tensor r = residual != nullptr ? unwrap(residual) : at::Tensor();
    at::Tensor b = bias != nullptr ? unwrap(bias) : at::Tensor();
    at::Tensor packed = packed_weight != nullptr ? unwrap(packed_weight) : at::Tensor();
    TORCH_CHECK_VALUE(!w.requires_grad() && !(b.defined() && b.requires_grad()),
                      "fused_conv2d: the weight and bias must not require gradients (fold a copy first)");
    TORCH_CHECK_VALUE(x.dim() == 4, "fused_conv2d expects a 4-D [N, C, H, W] input, got shape ", x.sizes());
    Geometry g{{stride[0], stride[1]}, {padding[0], padding[1]}, {dilation[0], dilation[1]}, groups};
    bool fusable = operatorsRegistered() && x.device().is_cpu() && x.scalar_type() == at::kFloat &&
                   w.scalar_type() == at::kFloat && (!r.defined() || r.scalar_type() == at::kFloat);
    bool needsGrad = at::GradMode::is_enabled() && (x.requires_grad() || (r.defined() && r.requires_grad()));
    if (!fusable) {
      *out = wrap(runComposite(x, r, w, b, g, activation));
    } else if (!needsGrad) {
      at::NoGradGuard noGrad;
      *out = wrap(runFused(x, r, packed.defined() ? packed : w, b, g, activation));
    } else if (activation == CTORCH_FUSED_SILU || activation == CTORCH_FUSED_HARDSWISH) {
      *out = wrap(runComposite(x, r, w, b, g, activation));
    } else {
      auto optional = [](const at::Tensor &t) { return t.defined() ? std::optional<at::Tensor>(t) : std::nullopt; };
      *out = wrap(FusedConvolutionFunction::apply(x, optional(r), w, optional(packed), optional(b), g.stride, g.padding,
                                                  g.dilation, g.groups, static_cast<int64_t>(activation)));
    }
  });
}

uint64_t ctorch_tensors_fingerprint(const ctorch_tensor *tensors, size_t count) {
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](uint64_t value) {
    hash ^= value + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
  };
  for (size_t i = 0; i < count; ++i) {
    if (tensors[i] == nullptr || !tensors[i]->tensor.defined()) {
      mix(0);
      continue;
    }
    const auto &t = tensors[i]->tensor;
    try {
      mix(reinterpret_cast<uint64_t>(t.unsafeGetTensorImpl()));
      mix(reinterpret_cast<uint64_t>(t.storage().unsafeGetStorageImpl()));
      mix(static_cast<uint64_t>(t.storage_offset()));
      mix(static_cast<uint64_t>(t._version()));
      for (auto size : t.sizes()) mix(static_cast<uint64_t>(size));
    } catch (...) {
      mix(static_cast<uint64_t>(i) + 7);
    }
  }
  return hash;
}

}  // extern "C"
