/* Scalpel — CTorch base types: handles, status codes, errors, dtypes, devices, runtime settings.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_BASE_H
#define CTORCH_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTORCH_MUST_CHECK __attribute__((warn_unused_result))

typedef struct ctorch_tensor_ *ctorch_tensor;       /* owned: free with ctorch_tensor_free */
typedef struct ctorch_error_ *ctorch_error;         /* owned: free with ctorch_error_free */
typedef struct ctorch_generator_ *ctorch_generator; /* owned: free with ctorch_generator_free */

/** Outcome of a shim call; the failure kinds follow libtorch's own exception classes. */
typedef enum ctorch_status {
  CTORCH_OK = 0,
  CTORCH_ERROR_VALUE,           /* c10::ValueError */
  CTORCH_ERROR_INDEX,           /* c10::IndexError */
  CTORCH_ERROR_TYPE,            /* c10::TypeError */
  CTORCH_ERROR_NOT_IMPLEMENTED, /* c10::NotImplementedError */
  CTORCH_ERROR_LINALG,          /* c10::LinAlgError */
  CTORCH_ERROR_OUT_OF_MEMORY,   /* c10::OutOfMemoryError, std::bad_alloc */
  CTORCH_ERROR_TORCH,           /* any other c10::Error */
  CTORCH_ERROR_STD,             /* std::exception */
  CTORCH_ERROR_UNKNOWN          /* anything else thrown */
} ctorch_status;

typedef enum ctorch_dtype {
  CTORCH_FLOAT32 = 0,
  CTORCH_FLOAT64,
  CTORCH_FLOAT16,
  CTORCH_BFLOAT16,
  CTORCH_INT64,
  CTORCH_INT32,
  CTORCH_INT16,
  CTORCH_INT8,
  CTORCH_UINT8,
  CTORCH_BOOL
} ctorch_dtype;

typedef enum ctorch_device_type { CTORCH_DEVICE_CPU = 0, CTORCH_DEVICE_CUDA } ctorch_device_type;

typedef struct ctorch_device {
  ctorch_device_type type;
  int32_t index; /* CUDA ordinal; -1 for the CPU */
} ctorch_device;

typedef enum ctorch_memory_format {
  CTORCH_CONTIGUOUS = 0,
  CTORCH_CHANNELS_LAST,
  CTORCH_PRESERVE
} ctorch_memory_format;

/** libtorch's message without the C++ backtrace. Borrowed from the record. */
const char *ctorch_error_message(ctorch_error error);
/** libtorch's full what(), backtrace included: for logs. Borrowed from the record. */
const char *ctorch_error_detail(ctorch_error error);
/** NULL-safe. */
void ctorch_error_free(ctorch_error error);

/** NULL-safe, never fails. */
void ctorch_tensor_free(ctorch_tensor tensor);
/** Number of tensor handles alive in the process (a leak check for tests). */
int64_t ctorch_live_tensor_count(void);

/* Runtime (process-wide libtorch state). */
const char *ctorch_version(void); /* static string */
void ctorch_set_num_threads(int32_t count);
int32_t ctorch_get_num_threads(void);
void ctorch_manual_seed(uint64_t seed);
bool ctorch_cuda_is_available(void);
int32_t ctorch_cuda_device_count(void);
bool ctorch_cuda_is_linked(void); /* true when this build links torch_cuda */
CTORCH_MUST_CHECK ctorch_status ctorch_cuda_synchronize(int32_t device, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_set_deterministic(bool enabled, ctorch_error *error);
bool ctorch_is_grad_enabled(void);
/** Sets the calling thread's grad mode and returns the previous one. */
bool ctorch_set_grad_enabled(bool enabled);

/* The caching CPU allocator (shim/allocator.cpp): freed blocks of 128 KiB and more are kept for reuse
 * instead of going back to the system. Off when the environment sets SCALPEL_CPU_ALLOCATOR=system. */
bool ctorch_cpu_cache_enabled(void);
void ctorch_cpu_cache_statistics(uint64_t *cached_bytes, uint64_t *limit_bytes, uint64_t *hits, uint64_t *misses);
/** Gives every cached block back to the system. */
void ctorch_cpu_cache_release(void);
/** Caps the bytes kept for reuse (releasing the cache if it holds more). */
void ctorch_cpu_cache_set_limit(uint64_t bytes);

/* Random generators. */
CTORCH_MUST_CHECK ctorch_status ctorch_generator_new(uint64_t seed, ctorch_device device, ctorch_generator *out,
                                                     ctorch_error *error);
void ctorch_generator_free(ctorch_generator generator);
CTORCH_MUST_CHECK ctorch_status ctorch_generator_get_state(ctorch_generator generator, ctorch_tensor *out,
                                                           ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_generator_set_state(ctorch_generator generator, ctorch_tensor state,
                                                           ctorch_error *error);
/* libtorch's default CPU generator (what dropout and ops without a generator draw from). */
CTORCH_MUST_CHECK ctorch_status ctorch_default_generator_get_state(ctorch_tensor *out, ctorch_error *error);
CTORCH_MUST_CHECK ctorch_status ctorch_default_generator_set_state(ctorch_tensor state, ctorch_error *error);

#ifdef __cplusplus
}
#endif
#endif
