/* Scalpel — CImageCodecs: the one helper the decoders share (private to this target).
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef SCALPEL_CODEC_MESSAGE_H
#define SCALPEL_CODEC_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/** Writes a printf-style message into the caller's buffer (always terminated, silently shortened). */
static inline void scalpel_format_message(char *message, size_t capacity, const char *format, ...) {
  if (message == NULL || capacity == 0) return;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message, capacity, format, arguments);
  va_end(arguments);
}

#endif
