/* Scalpel — CTorch distributed: libtorch's c10d process groups (TCPStore rendezvous + Gloo).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef CTORCH_DISTRIBUTED_H
#define CTORCH_DISTRIBUTED_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ctorch_process_group_ *ctorch_process_group; /* owned: free with ctorch_process_group_free */

/** Joins a group of `world_size` processes: rank 0 serves a c10d TCPStore on host:port, every rank
 * connects to it (waiting at most `timeout_ms`), checks that all ranks agree on the world size and
 * on `tag` (e.g. the program version), then builds a Gloo process group whose collectives time out
 * after `timeout_ms`. Gloo picks its network interface from GLOO_SOCKET_IFNAME, else the hostname. */
CTORCH_MUST_CHECK ctorch_status ctorch_process_group_new(const char *host, int32_t port, int32_t rank, int32_t world_size,
                                                         int64_t timeout_ms, const char *tag,
                                                         ctorch_process_group *out, ctorch_error *error);
/** NULL-safe. */
void ctorch_process_group_free(ctorch_process_group group);
int32_t ctorch_process_group_rank(ctorch_process_group group);
int32_t ctorch_process_group_size(ctorch_process_group group);
/** Sums each tensor over all ranks, in place, and waits for the result. Tensors must be dense CPU tensors. */
CTORCH_MUST_CHECK ctorch_status ctorch_process_group_all_reduce_sum(ctorch_process_group group, const ctorch_tensor *tensors,
                                                                    size_t count, ctorch_error *error);
/** Overwrites each tensor with `root`'s, in place, and waits. */
CTORCH_MUST_CHECK ctorch_status ctorch_process_group_broadcast(ctorch_process_group group, const ctorch_tensor *tensors,
                                                               size_t count, int32_t root, ctorch_error *error);
/** Bytes of its reserved storage that the last ProcessGroupGloo constructor wrote (-1 before any). */
int64_t ctorch_gloo_storage_bytes_touched(void);
/** Returns when every rank has called it. */
CTORCH_MUST_CHECK ctorch_status ctorch_process_group_barrier(ctorch_process_group group, ctorch_error *error);

#ifdef __cplusplus
}
#endif

#endif
