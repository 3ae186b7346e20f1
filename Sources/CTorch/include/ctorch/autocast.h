/* Scalpel — CTorch autocast: libtorch's automatic mixed precision (at::autocast), per thread.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_AUTOCAST_H
#define CTORCH_AUTOCAST_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The autocast state of one device type on the calling thread, to restore on exit. */
typedef struct ctorch_autocast_state {
  bool enabled;
  ctorch_dtype dtype;
} ctorch_autocast_state;

/** Enables autocast to `dtype` (CTORCH_BFLOAT16 or CTORCH_FLOAT16) for `device_type` on the calling
 * thread and writes the previous state. Fails for a dtype or device libtorch cannot autocast to. */
CTORCH_MUST_CHECK ctorch_status ctorch_autocast_enter(ctorch_device_type device_type, ctorch_dtype dtype,
                                                      ctorch_autocast_state *previous, ctorch_error *error);
/** Restores `previous`; the outermost exit clears the cast cache. Never fails. */
void ctorch_autocast_exit(ctorch_device_type device_type, ctorch_autocast_state previous);
/** Whether autocast is on for `device_type` on the calling thread. */
bool ctorch_autocast_is_enabled(ctorch_device_type device_type);
/** Whether this CPU runs bfloat16 natively (AVX512-BF16 or AMX-BF16, as cpuinfo detects). */
bool ctorch_cpu_has_native_bf16(void);

#ifdef __cplusplus
}
#endif

#endif
