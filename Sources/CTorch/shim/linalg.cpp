// Scalpel — CTorch: linear algebra (SVD, symmetric eigen-decomposition, QR, inverses).
// SPDX-License-Identifier: Apache-2.0
#include "guard.hpp"
#include "handles.hpp"

extern "C" {

ctorch_status ctorch_svd(ctorch_tensor tensor, bool full_matrices, ctorch_tensor *u, ctorch_tensor *s,
                         ctorch_tensor *vh, ctorch_error *error) {
  *u = *s = *vh = nullptr;
  return guarded(error, [&] {
    auto [uu, ss, vv] = at::linalg_svd(unwrap(tensor), full_matrices);
    *u = wrap(uu);
    *s = wrap(ss);
    *vh = wrap(vv);
  });
}

ctorch_status ctorch_eigh(ctorch_tensor tensor, bool upper, ctorch_tensor *eigenvalues, ctorch_tensor *eigenvectors,
                          ctorch_error *error) {
  *eigenvalues = *eigenvectors = nullptr;
  return guarded(error, [&] {
    wrapPair(at::linalg_eigh(unwrap(tensor), upper ? "U" : "L"), eigenvalues, eigenvectors);
  });
}

ctorch_status ctorch_qr(ctorch_tensor tensor, bool complete, ctorch_tensor *q, ctorch_tensor *r,
                        ctorch_error *error) {
  *q = *r = nullptr;
  return guarded(error, [&] { wrapPair(at::linalg_qr(unwrap(tensor), complete ? "complete" : "reduced"), q, r); });
}

ctorch_status ctorch_pinv(ctorch_tensor tensor, double rtol, bool hermitian, ctorch_tensor *out,
                          ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    std::optional<double> r;
    if (rtol >= 0) r = rtol;
    *out = wrap(at::linalg_pinv(unwrap(tensor), std::optional<double>(), r, hermitian));
  });
}

ctorch_status ctorch_inv(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::linalg_inv(unwrap(tensor))); });
}

ctorch_status ctorch_cholesky(ctorch_tensor tensor, ctorch_tensor *out, ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] { *out = wrap(at::linalg_cholesky(unwrap(tensor))); });
}

}  // extern "C"
