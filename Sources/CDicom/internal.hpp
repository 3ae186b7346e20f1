// Scalpel — CDicom
// SPDX-License-Identifier: Apache-2.0
// Shared by the shim's files: parsing a Part 10 file from memory and writing messages. Not public.
#pragma once

#include "cdicom.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>

namespace scalpel_dicom {

/// Writes a printf-style message into `message` (always NUL-terminated when capacity > 0).
void report(char *message, size_t capacity, const char *format, ...) __attribute__((format(printf, 3, 4)));

/// Registers DCMTK's RLE, JPEG and JPEG-LS decoders and quietens its logger, once per process.
void ensure_initialised();

/// Parses a Part 10 file held in memory into `file` and fills `header`. Returns 0 or writes a message
/// and returns non-zero. Never throws.
int parse(const uint8_t *data, size_t size, const scalpel_dicom_limits *limits, DcmFileFormat &file,
          scalpel_dicom_header &header, char *message, size_t capacity);

/// 0 when the file's sequences nest at most `limit` deep (measured without recursion, before DCMTK parses
/// it); otherwise writes a message and returns non-zero.
int check_nesting(const uint8_t *data, size_t size, int32_t limit, char *message, size_t capacity);

}  // namespace scalpel_dicom
