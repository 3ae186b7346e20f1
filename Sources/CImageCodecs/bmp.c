/* Scalpel — CImageCodecs: BMP through stb_image (the implementation lives in Debian's libstb).
 * stb_image reads past the end of a short buffer as zeros, so the file's length is checked against
 * its header first: a truncated scan must be an error, never an image padded with black.
 * SPDX-License-Identifier: Apache-2.0 */
#include "image_codecs.h"
#include "codec_message.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h>

static uint32_t read_u32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t read_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* What the header says about the layout; 0 when consistent with `size`, else 1 with a message. */
struct bmp_layout {
  uint32_t header_size;
  int64_t width, height;
  int bits;
  uint32_t compression;
  uint32_t colours; /* palette entries */
};

static int bmp_check(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, struct bmp_layout *layout,
                     char *message, size_t capacity) {
  if (size < 26) {
    scalpel_format_message(message, capacity, "truncated BMP header (%zu bytes)", size);
    return 1;
  }
  uint32_t pixel_offset = read_u32(data + 10);
  layout->header_size = read_u32(data + 14);
  if (layout->header_size == 12) { /* OS/2 BITMAPCOREHEADER */
    layout->width = read_u16(data + 18);
    layout->height = read_u16(data + 20);
    layout->bits = read_u16(data + 24);
    layout->compression = 0;
    layout->colours = 0;
  } else if (layout->header_size >= 40 && size >= 54) {
    layout->width = (int32_t)read_u32(data + 18);
    layout->height = (int32_t)read_u32(data + 22);
    layout->bits = read_u16(data + 28);
    layout->compression = read_u32(data + 30);
    layout->colours = read_u32(data + 46);
  } else {
    scalpel_format_message(message, capacity, "unsupported or truncated BMP header (header size %u)",
                           layout->header_size);
    return 1;
  }
  if (layout->colours == 0 && layout->bits <= 8) layout->colours = 1u << layout->bits;
  if (layout->width <= 0 || layout->height == 0) {
    scalpel_format_message(message, capacity, "BMP header gives an empty or negative size (%lld x %lld)",
                           (long long)layout->width, (long long)layout->height);
    return 1;
  }
  if (layout->compression == 1 || layout->compression == 2) {
    scalpel_format_message(message, capacity, "RLE-compressed BMP files are not supported; save the image uncompressed or as PNG");
    return 1;
  }
  if (layout->compression != 0 && layout->compression != 3 && layout->compression != 6) {
    scalpel_format_message(message, capacity, "BMP compression %u is not supported (only uncompressed and bit-field BMP)",
                           layout->compression);
    return 1;
  }
  int64_t rows = layout->height < 0 ? -layout->height : layout->height;
  /* The size limits first: they also keep the byte arithmetic below far from overflowing. */
  if (scalpel_check_pixel_limits(limits, "BMP", (uint64_t)layout->width, (uint64_t)rows, 1, message, capacity)) return 1;
  int64_t stride = ((layout->width * layout->bits + 31) / 32) * 4;
  int64_t needed = (int64_t)pixel_offset + stride * rows;
  if ((int64_t)size < needed) {
    scalpel_format_message(message, capacity, "truncated BMP data: the header needs %lld bytes, the file has %zu",
                           (long long)needed, size);
    return 1;
  }
  return 0;
}

/* True when every palette entry is gray (B = G = R), so a palette image is a gray image. */
static int bmp_palette_is_gray(const uint8_t *data, size_t size, const struct bmp_layout *layout) {
  if (layout->bits > 8) return 0;
  size_t entry = layout->header_size == 12 ? 3 : 4;
  size_t start = 14 + (size_t)layout->header_size;
  if (layout->compression == 3 && layout->header_size == 40) start += 12; /* bit masks after the header */
  if (start + entry * layout->colours > size) return 0;
  for (uint32_t i = 0; i < layout->colours; ++i) {
    const uint8_t *bgr = data + start + entry * i;
    if (bgr[0] != bgr[1] || bgr[1] != bgr[2]) return 0;
  }
  return 1;
}

int scalpel_decode_bmp(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                       char *message, size_t capacity) {
  memset(out, 0, sizeof *out);
  if (size < 2 || data[0] != 'B' || data[1] != 'M') {
    scalpel_format_message(message, capacity, "not a BMP file (bad signature)");
    return 1;
  }
  if (size > INT_MAX) {
    scalpel_format_message(message, capacity, "BMP file larger than 2 GiB");
    return 1;
  }
  struct bmp_layout layout;
  if (bmp_check(data, size, limits, &layout, message, capacity)) return 1;
  int width = 0, height = 0, channels = 0;
  uint8_t *pixels = stbi_load_from_memory(data, (int)size, &width, &height, &channels, 0);
  if (pixels == NULL) {
    const char *reason = stbi_failure_reason();
    scalpel_format_message(message, capacity, "stb_image could not decode the BMP (%s)", reason ? reason : "no reason given");
    return 1;
  }
  if (channels == 3 && bmp_palette_is_gray(data, size, &layout)) {
    size_t count = (size_t)width * (size_t)height;
    for (size_t i = 0; i < count; ++i) pixels[i] = pixels[3 * i];
    channels = 1;
  }
  /* Hand over memory the caller frees with free(): stb allocates with malloc unless built otherwise,
   * but copying keeps that assumption out of the contract. */
  size_t bytes = (size_t)width * (size_t)height * (size_t)channels;
  uint8_t *copy = malloc(bytes);
  if (copy == NULL) {
    stbi_image_free(pixels);
    scalpel_format_message(message, capacity, "out of memory decoding BMP");
    return 1;
  }
  memcpy(copy, pixels, bytes);
  stbi_image_free(pixels);
  out->pixels = copy;
  out->width = width;
  out->height = height;
  out->channels = channels;
  out->bytes_per_sample = 1;
  return 0;
}
