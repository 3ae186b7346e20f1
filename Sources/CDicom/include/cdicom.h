// Scalpel — CDicom: DICOM pixel data through DCMTK, behind a pure-C interface.
// SPDX-License-Identifier: Apache-2.0
#ifndef CDICOM_H
#define CDICOM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// DCMTK's version string, e.g. "3.6.7".
const char *scalpel_dicom_toolkit_version(void);

/// The header fields a dataset needs. Text fields are NUL-terminated, trailing padding removed, and
/// empty when the attribute is absent.
typedef struct scalpel_dicom_header {
  int32_t rows;
  int32_t columns;
  int32_t samples_per_pixel;
  int32_t bits_allocated;
  int32_t bits_stored;
  int32_t pixel_representation; /* 0 unsigned, 1 two's complement */
  int32_t frames;                /* NumberOfFrames, 1 when absent */
  int32_t has_pixel_data;        /* 1 when (7FE0,0010) is present */
  int32_t has_window;            /* 1 when WindowCenter and WindowWidth are present (first values below) */
  double window_center;
  double window_width;
  double rescale_slope;          /* 1 when absent */
  double rescale_intercept;      /* 0 when absent */
  char photometric[32];
  char patient_id[80];
  char study_uid[80];
  char modality[32];
  char transfer_syntax[80];
} scalpel_dicom_header;

/// How monochrome values are mapped to output levels (colour images ignore it).
enum {
  SCALPEL_DICOM_WINDOW_FROM_FILE = 0, /* the file's first window, else min–max */
  SCALPEL_DICOM_WINDOW_MIN_MAX = 1,   /* min–max of the modality values, always */
  SCALPEL_DICOM_WINDOW_EXPLICIT = 2,  /* window_center / window_width below */
};

typedef struct scalpel_dicom_options {
  int32_t window_mode;  /* one of SCALPEL_DICOM_WINDOW_* */
  double window_center; /* for SCALPEL_DICOM_WINDOW_EXPLICIT */
  double window_width;  /* for SCALPEL_DICOM_WINDOW_EXPLICIT; must be >= 1 */
  int32_t frame;        /* 0-based frame index (0 = first frame) */
} scalpel_dicom_options;

/// A rendered frame: `height × width × channels` samples, row-major, interleaved. Monochrome frames are
/// 16-bit (bytes_per_sample 2, native-endian uint16, 0..65535, higher is brighter as displayed, MONOCHROME1
/// already inverted); colour frames are 8-bit RGB. Free with scalpel_dicom_image_free.
typedef struct scalpel_dicom_image {
  uint8_t *pixels;
  int32_t width;
  int32_t height;
  int32_t channels;         /* 1 or 3 */
  int32_t bytes_per_sample; /* 2 for monochrome, 1 for colour */
  scalpel_dicom_header header;
} scalpel_dicom_image;

/// Bounds checked before DCMTK parses or allocates (0 in a field means its default): sequence nesting
/// (default 32), pixels per side (2^18) and pixels per frame (2^28).
typedef struct scalpel_dicom_limits {
  int32_t max_sequence_depth;
  uint64_t max_side;
  uint64_t max_pixels;
} scalpel_dicom_limits;

/// Reads the header of a DICOM Part 10 file held in memory. 0 on success; otherwise non-zero with a
/// message in `message`. Safe to call from several threads at once.
int scalpel_dicom_read_header(const uint8_t *data, size_t size, const scalpel_dicom_limits *limits,
                              scalpel_dicom_header *out, char *message, size_t capacity);

/// Decodes one frame of a DICOM Part 10 file held in memory (native, RLE, JPEG and JPEG-LS transfer
/// syntaxes): modality LUT (rescale slope/intercept), then the VOI window chosen by `options`, rendered as
/// described for scalpel_dicom_image. 0 on success; otherwise non-zero with a message in `message`.
/// Safe to call from several threads at once.
int scalpel_dicom_decode(const uint8_t *data, size_t size, const scalpel_dicom_options *options,
                         const scalpel_dicom_limits *limits, scalpel_dicom_image *out, char *message,
                         size_t capacity);

/// Frees the pixels of a decoded image (and sets them to NULL); safe on a zeroed struct.
void scalpel_dicom_image_free(scalpel_dicom_image *image);

#ifdef __cplusplus
}
#endif
#endif
