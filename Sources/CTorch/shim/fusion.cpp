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

bool operatorsRegistered();

/// A tensor as an optional argument (empty when undefined).
std::optional<at::Tensor> optional(const at::Tensor &t) { return t.defined() ? std::optional<at::Tensor>(t) : std::nullopt; }

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

int64_t floorDivide(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/// Whether the input gradient of this convolution goes through ``spaceToDepthInputGradient``: a
/// strided stem on a few channels (an RGB image), where oneDNN's strided backward-data kernel runs at
/// a fraction of the forward's speed (its output, the image, has 3 channels to vectorise over).
bool usesSpaceToDepthGradient(const at::Tensor &weight, const std::vector<int64_t> &stride,
                              const std::vector<int64_t> &dilation, int64_t groups) {
  return operatorsRegistered() && groups == 1 && weight.dim() == 4 && weight.size(1) <= 4 && stride[0] >= 2 &&
         stride[0] == stride[1] && stride[0] <= 4 && dilation[0] == 1 && dilation[1] == 1 &&
         weight.size(2) >= 5 && weight.size(3) >= 5;
}

/// The input gradient of `conv2d(x, w, stride s, padding p)` as one stride-1 convolution of the output
/// gradient, then a pixel shuffle: the `s × s` phases of the input are `s²·C` output channels of a
/// `T × T` convolution whose kernel gathers, per phase, the taps that reach it. Exact (the same sums,
/// in another order); see bench/README.md for what it saves.
at::Tensor spaceToDepthInputGradient(const at::Tensor &grad, const at::Tensor &input, const at::Tensor &weight,
                                     const std::vector<int64_t> &stride, const std::vector<int64_t> &padding) {
  const int64_t s = stride[0], outputs = weight.size(0), channels = weight.size(1);
  std::vector<at::Tensor> axisIndex(2);
  std::vector<int64_t> lowest(2), pads(2), phases(2);
  int64_t tapsMax = 0;
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t k = weight.size(2 + axis), p = padding[axis];
    lowest[axis] = -floorDivide(k - 1 - p, s);  // ceil((p - k + 1) / s)
    const int64_t highest = floorDivide(s - 1 + p, s);
    tapsMax = std::max(tapsMax, highest - lowest[axis] + 1);
  }
  // Both axes use the same number of taps (the larger), so the kernel is square; unused taps are zero.
  auto padded = at::constant_pad_nd(weight, {0, 1, 0, 1});  // index k reads a zero
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t k = weight.size(2 + axis), p = padding[axis];
    std::vector<int64_t> index;
    for (int64_t a = 0; a < s; ++a)
      for (int64_t t = 0; t < tapsMax; ++t) {
        int64_t tap = a + p - s * (t + lowest[axis]);
        index.push_back(tap >= 0 && tap < k ? tap : k);
      }
    axisIndex[axis] = at::tensor(index, at::kLong);
  }
  auto kernel = padded.index_select(2, axisIndex[0]).index_select(3, axisIndex[1])  // [O, C, s·T, s·T]
                    .view({outputs, channels, s, tapsMax, s, tapsMax})
                    .permute({1, 2, 4, 0, 3, 5})  // [C, a, b, O, t, u]
                    .reshape({channels * s * s, outputs, tapsMax, tapsMax})
                    .contiguous();
  std::vector<int64_t> start(2);
  for (int axis = 0; axis < 2; ++axis) {
    phases[axis] = (input.size(2 + axis) + s - 1) / s;
    pads[axis] = std::max<int64_t>({-lowest[axis], phases[axis] + lowest[axis] + tapsMax - 1 - grad.size(2 + axis), 0});
    start[axis] = lowest[axis] + pads[axis];
  }
  c10::List<std::optional<c10::Scalar>> none;
  auto phased = pointwiseOperator().call(grad.contiguous(grad.suggest_memory_format()), kernel, std::nullopt, pads,
                                         {1, 1}, {1, 1}, 1, "none", none, std::nullopt);
  phased = phased.slice(2, start[0], start[0] + phases[0]).slice(3, start[1], start[1] + phases[1]);
  return at::pixel_shuffle(phased, s)
      .slice(2, 0, input.size(2))
      .slice(3, 0, input.size(3))
      .contiguous(input.suggest_memory_format());
}

/// The gradient of `conv2d(input, weight)` with respect to its input, for the output gradient `grad`.
at::Tensor convolutionInputGradient(const at::Tensor &grad, const at::Tensor &input, const at::Tensor &weight,
                                    const std::vector<int64_t> &stride, const std::vector<int64_t> &padding,
                                    const std::vector<int64_t> &dilation, int64_t groups) {
  if (usesSpaceToDepthGradient(weight, stride, dilation, groups) && grad.scalar_type() == at::kFloat &&
      weight.scalar_type() == at::kFloat && grad.device().is_cpu()) {
    return spaceToDepthInputGradient(grad, input, weight, stride, padding);
  }
  std::vector<int64_t> outputPadding(stride.size(), 0);
  return std::get<0>(at::convolution_backward(grad, input, weight, std::nullopt, stride, padding, dilation, false,
                                              outputPadding, groups, {true, false, false}));
}

/// An inference-mode batch norm followed by ReLU before a convolution (DenseNet's pre-activation).
struct PreActivation {
  at::Tensor mean, variance, weight, bias;
  double eps;
  /// `relu(batch_norm(x))` with libtorch's inference batch norm (the unfused network's own kernel).
  at::Tensor apply(const at::Tensor &x) const {
    auto normalized = at::batch_norm(x, optional(weight), optional(bias), optional(mean), optional(variance), false,
                                     0.0, eps, false);
    return at::relu_(normalized);
  }
};

/// The fused forward with a backward to the input and the residual only (the weight and bias are
/// constants here). The activation's derivative is read from the output, so only the activations
/// whose derivative the output determines (none, ReLU, ReLU6) come here.
///
/// With a pre-activation (`relu(batch_norm(x))` before the convolution) the input gradient is
/// `(z > 0) · conv_backward(g, w · γ/√(var+eps))`: the batch norm's per-channel scale is folded into
/// the input channels of `scaledWeight`, so the batch norm needs no backward pass of its own.
struct FusedConvolutionFunction : public torch::autograd::Function<FusedConvolutionFunction> {
  // Absent tensors come as empty optionals: autograd accepts no undefined tensor argument.
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &input, const std::optional<at::Tensor> &residualArg,
                            const at::Tensor &weight, const std::optional<at::Tensor> &packed,
                            const std::optional<at::Tensor> &biasArg, std::vector<int64_t> stride,
                            std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t groups,
                            int64_t activation, const std::optional<at::Tensor> &preMean,
                            const std::optional<at::Tensor> &preVariance, const std::optional<at::Tensor> &preWeight,
                            const std::optional<at::Tensor> &preBias, double preEps,
                            const std::optional<at::Tensor> &scaledWeight) {
    Geometry g{stride, padding, dilation, groups};
    auto residual = residualArg.value_or(at::Tensor());
    auto bias = biasArg.value_or(at::Tensor());
    bool preActivated = scaledWeight.has_value();
    at::Tensor convInput = input;
    if (preActivated) {
      at::NoGradGuard noGrad;
      PreActivation pre{preMean.value_or(at::Tensor()), preVariance.value_or(at::Tensor()),
                        preWeight.value_or(at::Tensor()), preBias.value_or(at::Tensor()), preEps};
      convInput = pre.apply(input);
    }
    auto output = runFused(convInput, residual, packed.has_value() ? *packed : weight, bias, g, activation);
    ctx->save_for_backward({convInput, preActivated ? *scaledWeight : weight, output});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["dilation"] = dilation;
    ctx->saved_data["groups"] = groups;
    ctx->saved_data["activation"] = activation;
    ctx->saved_data["residual"] = residual.defined();
    ctx->saved_data["preActivated"] = preActivated;
    return output;
  }

  static variable_list backward(AutogradContext *ctx, variable_list gradOutputs) {
    auto saved = ctx->get_saved_variables();
    const auto &convInput = saved[0], &weight = saved[1], &output = saved[2];
    auto grad = gradOutputs[0];
    switch (ctx->saved_data["activation"].toInt()) {
      case CTORCH_FUSED_RELU: grad = at::threshold_backward(grad, output, 0); break;
      case CTORCH_FUSED_RELU6: grad = at::hardtanh_backward(grad, output, 0, 6); break;
      default: break;
    }
    at::Tensor gradInput, gradResidual;
    if (ctx->needs_input_grad(0)) {
      gradInput = convolutionInputGradient(grad, convInput, weight, ctx->saved_data["stride"].toIntVector(),
                                           ctx->saved_data["padding"].toIntVector(),
                                           ctx->saved_data["dilation"].toIntVector(), ctx->saved_data["groups"].toInt());
      // In place: the gradient was just made here, nothing else holds it.
      if (ctx->saved_data["preActivated"].toBool()) at::threshold_backward_out(gradInput, gradInput, convInput, 0);
    }
    // Edge 1 is the residual's when there is one (absent arguments have no edge).
    if (ctx->saved_data["residual"].toBool() && ctx->needs_input_grad(1)) gradResidual = grad;
    variable_list result(16);
    result[0] = gradInput;
    result[1] = gradResidual;
    return result;
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


at::Tensor optionalTensor(ctorch_tensor t) { return t != nullptr ? unwrap(t) : at::Tensor(); }

/// `activation(conv2d(pre(x), w, b) + r)`: the fused operator where it applies (with its input-only
/// backward under autograd), otherwise libtorch's differentiable operators. `pre` may be null.
at::Tensor fusedConvolution(const at::Tensor &x, const PreActivation *pre, const at::Tensor &scaledWeight,
                            const at::Tensor &r, const at::Tensor &w, const at::Tensor &packed, const at::Tensor &b,
                            const int64_t *stride, const int64_t *padding, const int64_t *dilation, int64_t groups,
                            int64_t activation) {
  TORCH_CHECK_VALUE(!w.requires_grad() && !(b.defined() && b.requires_grad()),
                    "fused_conv2d: the weight and bias must not require gradients (fold a copy first)");
  TORCH_CHECK_VALUE(x.dim() == 4, "fused_conv2d expects a 4-D [N, C, H, W] input, got shape ", x.sizes());
  Geometry g{{stride[0], stride[1]}, {padding[0], padding[1]}, {dilation[0], dilation[1]}, groups};
  bool fusable = operatorsRegistered() && x.device().is_cpu() && x.scalar_type() == at::kFloat &&
                 w.scalar_type() == at::kFloat && (!r.defined() || r.scalar_type() == at::kFloat);
  bool needsGrad = at::GradMode::is_enabled() && (x.requires_grad() || (r.defined() && r.requires_grad()));
  if (!fusable || (needsGrad && (activation == CTORCH_FUSED_SILU || activation == CTORCH_FUSED_HARDSWISH))) {
    return runComposite(pre != nullptr ? pre->apply(x) : x, r, w, b, g, activation);  // differentiable
  }
  if (!needsGrad) {
    at::NoGradGuard noGrad;
    return runFused(pre != nullptr ? pre->apply(x) : x, r, packed.defined() ? packed : w, b, g, activation);
  }
  std::optional<at::Tensor> none;
  return FusedConvolutionFunction::apply(
      x, optional(r), w, optional(packed), optional(b), g.stride, g.padding, g.dilation, g.groups, activation,
      pre != nullptr ? optional(pre->mean) : none, pre != nullptr ? optional(pre->variance) : none,
      pre != nullptr ? optional(pre->weight) : none, pre != nullptr ? optional(pre->bias) : none,
      pre != nullptr ? pre->eps : 0.0, pre != nullptr ? optional(scaledWeight) : none);
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
    *out = wrap(fusedConvolution(unwrap(input), nullptr, at::Tensor(), optionalTensor(residual), unwrap(weight),
                                 optionalTensor(packed_weight), optionalTensor(bias), stride, padding, dilation, groups,
                                 activation));
  });
}

ctorch_status ctorch_fused_preactivated_conv2d(ctorch_tensor input, ctorch_tensor norm_mean, ctorch_tensor norm_var,
                                               ctorch_tensor norm_weight, ctorch_tensor norm_bias, double norm_eps,
                                               ctorch_tensor weight, ctorch_tensor packed_weight,
                                               ctorch_tensor scaled_weight, ctorch_tensor bias, const int64_t *stride,
                                               const int64_t *padding, const int64_t *dilation, int64_t groups,
                                               ctorch_fused_activation activation, ctorch_tensor *out,
                                               ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    PreActivation pre{unwrap(norm_mean), unwrap(norm_var), optionalTensor(norm_weight), optionalTensor(norm_bias),
                      norm_eps};
    for (const auto &t : {pre.weight, pre.bias})
      TORCH_CHECK_VALUE(!at::GradMode::is_enabled() || !(t.defined() && t.requires_grad()),
                        "fused_preactivated_conv2d: the batch norm's weight and bias must not require gradients");
    const auto &scaled = unwrap(scaled_weight);
    const auto &w = unwrap(weight);
    TORCH_CHECK_VALUE(scaled.sizes() == w.sizes() && !scaled.requires_grad(),
                      "fused_preactivated_conv2d: the scaled weight must have the weight's shape ", w.sizes(),
                      " and not require gradients, got ", scaled.sizes());
    *out = wrap(fusedConvolution(unwrap(input), &pre, scaled, at::Tensor(), w, optionalTensor(packed_weight),
                                 optionalTensor(bias), stride, padding, dilation, groups, activation));
  });
}

ctorch_status ctorch_scale_conv2d_input_channels(ctorch_tensor weight, ctorch_tensor running_var,
                                                 ctorch_tensor norm_weight, double eps, ctorch_tensor *out,
                                                 ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    at::NoGradGuard noGrad;
    const auto &w = unwrap(weight);
    const auto &var = unwrap(running_var);
    TORCH_CHECK_VALUE(w.dim() == 4 && var.numel() == w.size(1), "scale_conv2d_input_channels: a [O, I, kH, kW] ",
                      "weight (groups 1) and I variances expected, got ", w.sizes(), " and ", var.numel());
    auto scale = (var.to(at::kDouble) + eps).rsqrt();
    if (norm_weight != nullptr) scale = scale * unwrap(norm_weight).to(at::kDouble);
    auto scaled = (w.to(at::kDouble) * scale.view({1, -1, 1, 1})).to(w.scalar_type());
    *out = wrap(scaled.contiguous(w.suggest_memory_format()).detach());
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
