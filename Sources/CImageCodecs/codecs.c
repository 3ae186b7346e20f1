/* Scalpel — CImageCodecs
 * SPDX-License-Identifier: Apache-2.0 */
#include "image_codecs.h"
#include "codec_message.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

static void copy_message(char *message, size_t capacity, const char *text) {
  if (message == NULL || capacity == 0) return;
  snprintf(message, capacity, "%s", text);
}

int scalpel_check_pixel_limits(const scalpel_pixel_limits *limits, const char *format, uint64_t width, uint64_t height,
                               uint64_t frames, char *message, size_t capacity) {
  uint64_t max_side = limits && limits->max_side ? limits->max_side : (1ull << 18);
  uint64_t max_pixels = limits && limits->max_pixels ? limits->max_pixels : (1ull << 28);
  if (width > max_side || height > max_side) {
    scalpel_format_message(message, capacity,
                           "%s header declares %llu x %llu pixels, over the limit of %llu pixels per side "
                           "(raise it with SCALPEL_MAX_IMAGE_SIDE=N if the file is trusted)",
                           format, (unsigned long long)width, (unsigned long long)height, (unsigned long long)max_side);
    return 1;
  }
  /* width, height <= 2^63 / 2^32 is not guaranteed: divide instead of multiplying. */
  if (frames == 0) frames = 1;
  if (width != 0 && (height > max_pixels / width || frames > max_pixels / (width * (height ? height : 1)))) {
    scalpel_format_message(message, capacity,
                           "%s header declares %llu x %llu pixels x %llu frames, over the limit of %llu pixels in all "
                           "(raise it with SCALPEL_MAX_IMAGE_PIXELS=N if the file is trusted)",
                           format, (unsigned long long)width, (unsigned long long)height, (unsigned long long)frames,
                           (unsigned long long)max_pixels);
    return 1;
  }
  return 0;
}

void scalpel_image_free(scalpel_image *image) {
  if (image == NULL) return;
  free(image->pixels);
  image->pixels = NULL;
}

/* ---- JPEG ---- */

struct jpeg_failure {
  struct jpeg_error_mgr manager;
  jmp_buf jump;
  char text[JMSG_LENGTH_MAX];
};

static void jpeg_fail(j_common_ptr info) {
  struct jpeg_failure *failure = (struct jpeg_failure *)info->err;
  (*info->err->format_message)(info, failure->text);
  longjmp(failure->jump, 1);
}

/* Warnings (extraneous bytes, say) are tolerated, except data that ends early or is corrupt: libjpeg
 * would pad the missing part with grey — also when the file is cut short but still ends with an
 * end-of-image marker (JWRN_HIT_MARKER) — which must never pass silently for a medical image. */
static void jpeg_quiet(j_common_ptr info, int level) {
  if (level >= 0) return;
  switch (info->err->msg_code) {
  case JWRN_JPEG_EOF:
  case JWRN_HIT_MARKER:
  case JWRN_MUST_RESYNC:
  case JWRN_NOT_SEQUENTIAL:
  case JWRN_HUFF_BAD_CODE:
    jpeg_fail(info);
    break;
  default:
    break;
  }
}

int scalpel_decode_jpeg(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                        char *message, size_t capacity) {
  struct jpeg_decompress_struct info;
  struct jpeg_failure failure;
  uint8_t *volatile pixels = NULL;
  memset(out, 0, sizeof *out);
  info.err = jpeg_std_error(&failure.manager);
  failure.manager.error_exit = jpeg_fail;
  failure.manager.emit_message = jpeg_quiet;
  failure.text[0] = 0;
  if (setjmp(failure.jump)) {
    copy_message(message, capacity, failure.text[0] ? failure.text : "corrupt JPEG data");
    jpeg_destroy_decompress(&info);
    free(pixels);
    return 1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, (unsigned long)size);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    copy_message(message, capacity, "CMYK JPEG images are not supported; convert the image to RGB");
    jpeg_destroy_decompress(&info);
    return 1;
  }
  if (scalpel_check_pixel_limits(limits, "JPEG", info.image_width, info.image_height, 1, message, capacity)) {
    jpeg_destroy_decompress(&info);
    return 1;
  }
  info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&info);
  size_t stride = (size_t)info.output_width * (size_t)info.output_components;
  pixels = malloc(stride * info.output_height);
  if (pixels == NULL) {
    copy_message(message, capacity, "out of memory decoding JPEG");
    jpeg_destroy_decompress(&info);
    return 1;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  out->pixels = pixels;
  out->width = (int32_t)info.output_width;
  out->height = (int32_t)info.output_height;
  out->channels = info.output_components;
  out->bytes_per_sample = 1;
  jpeg_destroy_decompress(&info);
  return 0;
}

/* ---- PNG ---- */

struct png_source {
  const uint8_t *data;
  size_t size;
  size_t offset;
};

struct png_failure {
  jmp_buf jump;
  char text[256];
};

static void png_read_memory(png_structp png, png_bytep target, png_size_t count) {
  struct png_source *source = png_get_io_ptr(png);
  if (source->offset + count > source->size) png_error(png, "truncated PNG data");
  memcpy(target, source->data + source->offset, count);
  source->offset += count;
}

static void png_fail(png_structp png, png_const_charp text) {
  struct png_failure *failure = png_get_error_ptr(png);
  snprintf(failure->text, sizeof failure->text, "%s", text);
  longjmp(failure->jump, 1);
}

static void png_quiet(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

int scalpel_decode_png(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                       char *message, size_t capacity) {
  memset(out, 0, sizeof *out);
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
    copy_message(message, capacity, "not a PNG file (bad signature)");
    return 1;
  }
  /* The IHDR chunk must come first (PNG specification): check its size before libpng reads further. */
  if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
    uint32_t width = (uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 | (uint32_t)data[18] << 8 | data[19];
    uint32_t height = (uint32_t)data[20] << 24 | (uint32_t)data[21] << 16 | (uint32_t)data[22] << 8 | data[23];
    if (scalpel_check_pixel_limits(limits, "PNG", width, height, 1, message, capacity)) return 1;
  }
  struct png_failure failure;
  failure.text[0] = 0;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_fail, png_quiet);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (png == NULL || info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    copy_message(message, capacity, "out of memory decoding PNG");
    return 1;
  }
  uint8_t *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  if (setjmp(failure.jump)) {
    copy_message(message, capacity, failure.text[0] ? failure.text : "corrupt PNG data");
    png_destroy_read_struct(&png, &info, NULL);
    free(pixels);
    free(rows);
    return 1;
  }
  struct png_source source = {data, size, 0};
  png_set_read_fn(png, &source, png_read_memory);
  png_read_info(png, info);
  if (scalpel_check_pixel_limits(limits, "PNG", png_get_image_width(png, info), png_get_image_height(png, info), 1,
                                 failure.text, sizeof failure.text)) {
    longjmp(failure.jump, 1);
  }
  int depth = png_get_bit_depth(png, info);
  int color = png_get_color_type(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (depth == 16) {
    uint16_t probe = 1;
    if (*(uint8_t *)&probe == 1) png_set_swap(png); /* PNG is big-endian; hand out native order */
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  int channels = png_get_channels(png, info);
  int bytes = png_get_bit_depth(png, info) == 16 ? 2 : 1;
  png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  size_t stride = png_get_rowbytes(png, info);
  pixels = malloc(stride * height);
  rows = malloc(sizeof(png_bytep) * height);
  if (pixels == NULL || rows == NULL) png_error(png, "out of memory decoding PNG");
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = pixels + stride * y;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  out->pixels = pixels;
  out->width = (int32_t)width;
  out->height = (int32_t)height;
  out->channels = channels;
  out->bytes_per_sample = bytes;
  return 0;
}

/* PNG encoding into memory, for overlays and figures. */
struct png_sink {
  uint8_t *data;
  size_t size;
  size_t capacity;
};

static void png_write_memory(png_structp png, png_bytep source, png_size_t count) {
  struct png_sink *sink = png_get_io_ptr(png);
  if (sink->size + count > sink->capacity) {
    size_t capacity = sink->capacity ? sink->capacity : 4096;
    while (capacity < sink->size + count) capacity *= 2;
    uint8_t *grown = realloc(sink->data, capacity);
    if (grown == NULL) png_error(png, "out of memory encoding PNG");
    sink->data = grown;
    sink->capacity = capacity;
  }
  memcpy(sink->data + sink->size, source, count);
  sink->size += count;
}

static void png_flush_nothing(png_structp png) { (void)png; }

int scalpel_encode_png(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, uint8_t **out,
                       size_t *out_size, char *message, size_t capacity) {
  *out = NULL;
  *out_size = 0;
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4) {
    snprintf(message, capacity, "cannot encode a %dx%d image with %d channels as PNG", width, height, channels);
    return 1;
  }
  static const int types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
  struct png_failure failure;
  failure.text[0] = 0;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, png_fail, png_quiet);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (png == NULL || info == NULL) {
    png_destroy_write_struct(&png, NULL);
    copy_message(message, capacity, "libpng could not start an encoder");
    return 1;
  }
  struct png_sink sink = {NULL, 0, 0};
  png_bytep *volatile rows = NULL;
  if (setjmp(failure.jump)) {
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(sink.data);
    copy_message(message, capacity, failure.text);
    return 1;
  }
  png_set_write_fn(png, &sink, png_write_memory, png_flush_nothing);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, types[channels - 1], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  rows = malloc(sizeof(png_bytep) * (size_t)height);
  if (rows == NULL) png_error(png, "out of memory encoding PNG");
  for (int32_t y = 0; y < height; ++y) rows[y] = (png_bytep)pixels + (size_t)y * (size_t)width * (size_t)channels;
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  free(rows);
  *out = sink.data;
  *out_size = sink.size;
  return 0;
}

void scalpel_encoded_free(uint8_t *data) { free(data); }
