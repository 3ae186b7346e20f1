/* Scalpel — CImageCodecs: JPEG, PNG, BMP and TIFF decoding through Debian's libjpeg-turbo, libpng,
 * stb_image and libtiff, with their error handling (longjmp, global failure strings, error callbacks)
 * contained here so a corrupt file is an error, never an exit or a crash.
 * SPDX-License-Identifier: Apache-2.0 */
#ifndef SCALPEL_IMAGE_CODECS_H
#define SCALPEL_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A decoded image: `height × width × channels` samples, row-major, interleaved. 8-bit samples are
 * bytes; 16-bit samples are native-endian uint16 values (bytes_per_sample = 2). Free with
 * scalpel_image_free. */
typedef struct scalpel_image {
  uint8_t *pixels;
  int32_t width;
  int32_t height;
  int32_t channels;         /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
  int32_t bytes_per_sample; /* 1 or 2 */
} scalpel_image;

/** The largest image a decoder may allocate, checked from the header before any pixel memory is
 * allocated. A NULL pointer means the defaults: 2^18 pixels per side, 2^28 pixels in all. */
typedef struct scalpel_pixel_limits {
  uint64_t max_side;
  uint64_t max_pixels;
} scalpel_pixel_limits;

/** 0 when `width × height` (× `frames`) is within `limits`; otherwise 1 with a message naming the format,
 * the size and the limit. */
int scalpel_check_pixel_limits(const scalpel_pixel_limits *limits, const char *format, uint64_t width, uint64_t height,
                               uint64_t frames, char *message, size_t capacity);

/** 0 on success; otherwise non-zero with a message (what libjpeg/libpng said) in `message`. Every decoder
 * refuses an image over `limits` before allocating its pixels. */
int scalpel_decode_jpeg(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                        char *message, size_t capacity);
int scalpel_decode_png(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                       char *message, size_t capacity);
/** BMP through stb_image: 1/4/8-bit palette, 16/24/32-bit colour, always 8-bit samples out; a palette
 * image whose colours are all gray comes out as one gray channel. RLE-compressed files are refused. */
int scalpel_decode_bmp(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                       char *message, size_t capacity);
/** TIFF (first page) through libtiff: 8- and 16-bit unsigned gray and RGB (with or without alpha), read
 * as stored; 1/2/4-bit gray and 8-bit palette, YCbCr, tiled or planar-separate colour through libtiff's
 * RGBA interface. Floating-point, signed, 32-bit and tiled or planar-separate 16-bit layouts are refused
 * with a message saying so. */
int scalpel_decode_tiff(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                        char *message, size_t capacity);
void scalpel_image_free(scalpel_image *image);

/** PNG encoding (8-bit samples, `height × width × channels` row-major, 1 gray … 4 RGBA) into a buffer
 * the caller frees with scalpel_encoded_free. 0 on success; otherwise non-zero with a message. */
int scalpel_encode_png(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, uint8_t **out,
                       size_t *out_size, char *message, size_t capacity);
void scalpel_encoded_free(uint8_t *data);

#ifdef __cplusplus
}
#endif
#endif
