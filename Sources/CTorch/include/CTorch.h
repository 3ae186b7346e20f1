/* Scalpel — CTorch: the narrow C API over libtorch that the Swift layers call.
 * SPDX-License-Identifier: Apache-2.0
 *
 * Pure C: no libtorch type crosses this boundary. Every fallible function returns a ctorch_status,
 * writes its results through out-parameters and, on failure, an owned error record through its
 * last parameter. No C++ exception ever leaves the shim. */
#ifndef CTORCH_H
#define CTORCH_H

#include "ctorch/base.h"
#include "ctorch/tensor.h"
#include "ctorch/ops.h"
#include "ctorch/nn.h"
#include "ctorch/autograd.h"
#include "ctorch/optim.h"
#include "ctorch/fusion.h"
#include "ctorch/autocast.h"
#include "ctorch/distributed.h"

#endif
