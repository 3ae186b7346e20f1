// Scalpel — CTorch: shape changes, joining, slicing and indexing.
// SPDX-License-Identifier: Apache-2.0
#include "guard.hpp"
#include "handles.hpp"

extern "C" {

ctorch_status ctorch_reshape(ctorch_tensor tensor, const int64_t *dims, size_t ndim, ctorch_tensor *out,
                             ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::reshape(unwrap(tensor), dimsRef(dims, ndim))); });
}

ctorch_status ctorch_permute(ctorch_tensor tensor, const int64_t *dims, size_t ndim, ctorch_tensor *out,
                             ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::permute(unwrap(tensor), dimsRef(dims, ndim))); });
}

ctorch_status ctorch_transpose(ctorch_tensor tensor, int64_t dim0, int64_t dim1, ctorch_tensor *out,
                               ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::transpose(unwrap(tensor), dim0, dim1)); });
}

ctorch_status ctorch_expand(ctorch_tensor tensor, const int64_t *dims, size_t ndim, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).expand(dimsRef(dims, ndim))); });
}

ctorch_status ctorch_repeat(ctorch_tensor tensor, const int64_t *repeats, size_t count, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(unwrap(tensor).repeat(dimsRef(repeats, count))); });
}

ctorch_status ctorch_squeeze(ctorch_tensor tensor, bool has_dim, int64_t dim, ctorch_tensor *out,
                             ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    const auto &x = unwrap(tensor);
    *out = wrap(has_dim ? at::squeeze(x, dim) : at::squeeze(x));
  });
}

ctorch_status ctorch_unsqueeze(ctorch_tensor tensor, int64_t dim, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::unsqueeze(unwrap(tensor), dim)); });
}

ctorch_status ctorch_flatten(ctorch_tensor tensor, int64_t start_dim, int64_t end_dim, ctorch_tensor *out,
                             ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::flatten(unwrap(tensor), start_dim, end_dim)); });
}

ctorch_status ctorch_flip(ctorch_tensor tensor, const int64_t *dims, size_t count, ctorch_tensor *out,
                          ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::flip(unwrap(tensor), dimsRef(dims, count))); });
}

ctorch_status ctorch_cat(const ctorch_tensor *tensors, size_t count, int64_t dim, ctorch_tensor *out,
                         ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(count > 0, "cat needs at least one tensor");
    *out = wrap(at::cat(unwrapList(tensors, count), dim));
  });
}

ctorch_status ctorch_stack(const ctorch_tensor *tensors, size_t count, int64_t dim, ctorch_tensor *out,
                           ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(count > 0, "stack needs at least one tensor");
    *out = wrap(at::stack(unwrapList(tensors, count), dim));
  });
}

ctorch_status ctorch_slice(ctorch_tensor tensor, int64_t dim, int64_t start, int64_t end, int64_t step,
                           ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(step > 0, "slice step must be positive, got ", step);
    *out = wrap(at::slice(unwrap(tensor), dim, start, end, step));
  });
}

ctorch_status ctorch_select(ctorch_tensor tensor, int64_t dim, int64_t index, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::select(unwrap(tensor), dim, index)); });
}

ctorch_status ctorch_index_select(ctorch_tensor tensor, int64_t dim, ctorch_tensor index, ctorch_tensor *out,
                                  ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::index_select(unwrap(tensor), dim, unwrap(index))); });
}

ctorch_status ctorch_gather(ctorch_tensor tensor, int64_t dim, ctorch_tensor index, ctorch_tensor *out,
                            ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::gather(unwrap(tensor), dim, unwrap(index))); });
}

ctorch_status ctorch_scatter(ctorch_tensor tensor, int64_t dim, ctorch_tensor index, ctorch_tensor source,
                             ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::scatter(unwrap(tensor), dim, unwrap(index), unwrap(source))); });
}

ctorch_status ctorch_masked_select(ctorch_tensor tensor, ctorch_tensor mask, ctorch_tensor *out,
                                   ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::masked_select(unwrap(tensor), unwrap(mask))); });
}

ctorch_status ctorch_nonzero(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::nonzero(unwrap(tensor))); });
}

ctorch_status ctorch_one_hot(ctorch_tensor tensor, int64_t class_count, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::one_hot(unwrap(tensor), class_count)); });
}

}  // extern "C"
