// Scalpel — CTorch: the one try/catch every entry point runs its body in.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <c10/util/Exception.h>

#include <new>
#include <string>

#include "../include/ctorch/base.h"

struct ctorch_error_ {
  ctorch_status status;
  std::string message;
  std::string detail;
};

inline ctorch_status ctorch_fail(ctorch_error *error, ctorch_status status, const char *message,
                                 const char *detail) noexcept {
  if (error != nullptr) {
    try {
      *error = new ctorch_error_{status, message, detail};
    } catch (...) {
      *error = nullptr;
    }
  }
  return status;
}

inline ctorch_status ctorch_fail(ctorch_error *error, ctorch_status status, const c10::Error &e) noexcept {
  return ctorch_fail(error, status, e.what_without_backtrace(), e.what());
}

/// Runs `body`, turning every exception into a status and an owned error record.
template <typename Body>
ctorch_status guarded(ctorch_error *error, Body &&body) noexcept {
  if (error != nullptr) *error = nullptr;
  try {
    body();
    return CTORCH_OK;
  } catch (const c10::OutOfMemoryError &e) {
    return ctorch_fail(error, CTORCH_ERROR_OUT_OF_MEMORY, e);
  } catch (const c10::IndexError &e) {
    return ctorch_fail(error, CTORCH_ERROR_INDEX, e);
  } catch (const c10::ValueError &e) {
    return ctorch_fail(error, CTORCH_ERROR_VALUE, e);
  } catch (const c10::TypeError &e) {
    return ctorch_fail(error, CTORCH_ERROR_TYPE, e);
  } catch (const c10::NotImplementedError &e) {
    return ctorch_fail(error, CTORCH_ERROR_NOT_IMPLEMENTED, e);
  } catch (const c10::LinAlgError &e) {
    return ctorch_fail(error, CTORCH_ERROR_LINALG, e);
  } catch (const c10::Error &e) {
    return ctorch_fail(error, CTORCH_ERROR_TORCH, e);
  } catch (const std::bad_alloc &) {
    return ctorch_fail(error, CTORCH_ERROR_OUT_OF_MEMORY, "out of memory (std::bad_alloc)", "std::bad_alloc");
  } catch (const std::exception &e) {
    return ctorch_fail(error, CTORCH_ERROR_STD, e.what(), e.what());
  } catch (...) {
    return ctorch_fail(error, CTORCH_ERROR_UNKNOWN, "unknown C++ exception", "unknown C++ exception");
  }
}
