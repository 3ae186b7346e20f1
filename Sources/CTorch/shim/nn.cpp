// Scalpel — CTorch: convolution, normalisation, pooling, resizing, dropout, padding and losses.
// SPDX-License-Identifier: Apache-2.0
#include <ATen/core/Reduction.h>

#include "guard.hpp"
#include "handles.hpp"

namespace {

int64_t toReduction(ctorch_reduction reduction) {
  switch (reduction) {
    case CTORCH_REDUCTION_NONE: return at::Reduction::None;
    case CTORCH_REDUCTION_MEAN: return at::Reduction::Mean;
    case CTORCH_REDUCTION_SUM: return at::Reduction::Sum;
  }
  TORCH_CHECK_VALUE(false, "unknown reduction code ", static_cast<int>(reduction));
}

at::IntArrayRef pair(const int64_t *values) { return at::IntArrayRef(values, 2); }

void checkImageBatch(const at::Tensor &input, const char *operation) {
  TORCH_CHECK_VALUE(input.dim() == 4 || input.dim() == 3, operation,
                    " expects a [N, C, H, W] (or [C, H, W]) tensor, got shape ", input.sizes());
}

}  // namespace

extern "C" {

ctorch_status ctorch_conv2d(ctorch_tensor input, ctorch_tensor weight, ctorch_tensor bias, const int64_t *stride,
                            const int64_t *padding, const int64_t *dilation, int64_t groups, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::conv2d(unwrap(input), unwrap(weight), unwrapOptional(bias), pair(stride), pair(padding),
                           pair(dilation), groups));
  });
}

ctorch_status ctorch_linear(ctorch_tensor input, ctorch_tensor weight, ctorch_tensor bias, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::linear(unwrap(input), unwrap(weight), unwrapOptional(bias))); });
}

ctorch_status ctorch_batch_norm(ctorch_tensor input, ctorch_tensor weight, ctorch_tensor bias,
                                ctorch_tensor running_mean, ctorch_tensor running_var, bool training, double momentum,
                                double eps, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    TORCH_CHECK_VALUE(x.dim() >= 2, "batch_norm expects at least [N, C], got shape ", x.sizes());
    if (training) {
      int64_t valuesPerChannel = x.numel() / x.size(1);
      TORCH_CHECK_VALUE(valuesPerChannel > 1, "batch_norm in training mode needs more than one value per channel, "
                        "got input of shape ", x.sizes());
    }
    *out = wrap(at::batch_norm(x, unwrapOptional(weight), unwrapOptional(bias), unwrapOptional(running_mean),
                               unwrapOptional(running_var), training, momentum, eps, true));
  });
}

ctorch_status ctorch_max_pool2d(ctorch_tensor input, const int64_t *kernel, const int64_t *stride,
                                const int64_t *padding, const int64_t *dilation, bool ceil_mode, ctorch_tensor *out,
                                ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    checkImageBatch(x, "max_pool2d");
    *out = wrap(at::max_pool2d(x, pair(kernel), pair(stride), pair(padding), pair(dilation), ceil_mode));
  });
}

ctorch_status ctorch_avg_pool2d(ctorch_tensor input, const int64_t *kernel, const int64_t *stride,
                                const int64_t *padding, bool ceil_mode, bool count_include_pad, ctorch_tensor *out,
                                ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    checkImageBatch(x, "avg_pool2d");
    *out = wrap(at::avg_pool2d(x, pair(kernel), pair(stride), pair(padding), ceil_mode, count_include_pad));
  });
}

ctorch_status ctorch_adaptive_avg_pool2d(ctorch_tensor input, const int64_t *output_size, ctorch_tensor *out,
                                         ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    checkImageBatch(x, "adaptive_avg_pool2d");
    *out = wrap(at::adaptive_avg_pool2d(x, pair(output_size)));
  });
}

ctorch_status ctorch_adaptive_max_pool2d(ctorch_tensor input, const int64_t *output_size, ctorch_tensor *out,
                                         ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    checkImageBatch(x, "adaptive_max_pool2d");
    *out = wrap(std::get<0>(at::adaptive_max_pool2d(x, pair(output_size))));
  });
}

ctorch_status ctorch_interpolate(ctorch_tensor input, const int64_t *size, bool bilinear, bool align_corners,
                                 bool antialias, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    TORCH_CHECK_VALUE(x.dim() == 4, "interpolate expects a [N, C, H, W] tensor, got shape ", x.sizes());
    TORCH_CHECK_VALUE(size[0] > 0 && size[1] > 0, "interpolate output size must be positive, got [", size[0], ", ",
                      size[1], "]");
    // As torch.nn.functional.interpolate: both options only mean something for bilinear sampling.
    TORCH_CHECK_VALUE(bilinear || !align_corners,
                      "interpolate: align_corners can only be set with bilinear mode, not nearest");
    TORCH_CHECK_VALUE(bilinear || !antialias, "interpolate: antialias can only be set with bilinear mode, not nearest");
    if (!bilinear) {
      *out = wrap(at::upsample_nearest2d(x, pair(size)));
    } else if (antialias) {
      *out = wrap(at::_upsample_bilinear2d_aa(x, pair(size), align_corners));
    } else {
      *out = wrap(at::upsample_bilinear2d(x, pair(size), align_corners));
    }
  });
}

ctorch_status ctorch_dropout(ctorch_tensor input, double p, bool training, ctorch_generator generator,
                             ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    TORCH_CHECK_VALUE(p >= 0 && p <= 1, "dropout probability must be in [0, 1], got ", p);
    if (!training || p == 0) {
      *out = wrap(x);
    } else if (p == 1) {
      *out = wrap(x * 0);
    } else if (generator == nullptr) {
      *out = wrap(at::dropout(x, p, true));
    } else {
      auto mask = at::empty_like(x, at::MemoryFormat::Preserve).bernoulli_(1 - p, generator->generator);
      *out = wrap(x * mask / (1 - p));
    }
  });
}

ctorch_status ctorch_pad(ctorch_tensor input, const int64_t *pads, size_t count, ctorch_pad_mode mode, double value,
                         ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const char *name = mode == CTORCH_PAD_REFLECT ? "reflect" : mode == CTORCH_PAD_REPLICATE ? "replicate" : "constant";
    std::optional<double> fill;
    if (mode == CTORCH_PAD_CONSTANT) fill = value;
    *out = wrap(at::pad(unwrap(input), dimsRef(pads, count), name, fill));
  });
}

ctorch_status ctorch_cross_entropy(ctorch_tensor input, ctorch_tensor target, ctorch_tensor weight,
                                   ctorch_reduction reduction, int64_t ignore_index, double label_smoothing,
                                   ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(label_smoothing >= 0 && label_smoothing <= 1, "label smoothing must be in [0, 1], got ",
                      label_smoothing);
    *out = wrap(at::cross_entropy_loss(unwrap(input), unwrap(target), unwrapOptional(weight), toReduction(reduction),
                                       ignore_index, label_smoothing));
  });
}

ctorch_status ctorch_bce_with_logits(ctorch_tensor input, ctorch_tensor target, ctorch_tensor weight,
                                     ctorch_tensor pos_weight, ctorch_reduction reduction, ctorch_tensor *out,
                                     ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    const auto &y = unwrap(target);
    TORCH_CHECK_VALUE(x.sizes() == y.sizes(), "binary_cross_entropy_with_logits: target shape ", y.sizes(),
                      " must equal input shape ", x.sizes());
    *out = wrap(at::binary_cross_entropy_with_logits(x, y, unwrapOptional(weight), unwrapOptional(pos_weight),
                                                     toReduction(reduction)));
  });
}

ctorch_status ctorch_mse_loss(ctorch_tensor input, ctorch_tensor target, ctorch_reduction reduction,
                              ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(input);
    const auto &y = unwrap(target);
    TORCH_CHECK_VALUE(x.sizes() == y.sizes(), "mse_loss: target shape ", y.sizes(), " must equal input shape ",
                      x.sizes());
    *out = wrap(at::mse_loss(x, y, toReduction(reduction)));
  });
}

ctorch_status ctorch_nll_loss(ctorch_tensor input, ctorch_tensor target, ctorch_tensor weight,
                              ctorch_reduction reduction, int64_t ignore_index, ctorch_tensor *out,
                              ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    *out = wrap(at::nll_loss_nd(unwrap(input), unwrap(target), unwrapOptional(weight), toReduction(reduction),
                                ignore_index));
  });
}

}  // extern "C"
