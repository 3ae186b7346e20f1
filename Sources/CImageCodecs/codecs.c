/* Scalpel — CImageCodecs
 * SPDX-License-Identifier: Apache-2.0 */
#include "image_codecs.h"

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

/* Warnings (extraneous bytes, say) are tolerated, except data that ends early: libjpeg would pad the
 * missing part with grey, which must never pass silently for a medical image. */
static void jpeg_quiet(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) jpeg_fail(info);
}

int scalpel_decode_jpeg(const uint8_t *data, size_t size, scalpel_image *out, char *message, size_t capacity) {
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

int scalpel_decode_png(const uint8_t *data, size_t size, scalpel_image *out, char *message, size_t capacity) {
  memset(out, 0, sizeof *out);
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
    copy_message(message, capacity, "not a PNG file (bad signature)");
    return 1;
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
