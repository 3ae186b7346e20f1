/* Scalpel — CZlib: the system zlib (Debian zlib1g-dev), for the DEFLATE entries of .npz files.
 * SPDX-License-Identifier: Apache-2.0 */
#include <zlib.h>
