/* Scalpel — CImageCodecs: PNG encoding through libpng, into memory, with libpng's longjmp error
 * handling contained here.
 * SPDX-License-Identifier: Apache-2.0 */
#include "image_codecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct png_sink {
  uint8_t *data;
  size_t size;
  size_t capacity;
  int failed;
};

struct png_encode_failure {
  jmp_buf jump;
  char text[256];
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

static void png_encode_fail(png_structp png, png_const_charp text) {
  struct png_encode_failure *failure = png_get_error_ptr(png);
  snprintf(failure->text, sizeof failure->text, "%s", text);
  longjmp(failure->jump, 1);
}

static void png_encode_quiet(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

int scalpel_encode_png(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, uint8_t **out,
                       size_t *out_size, char *message, size_t capacity) {
  *out = NULL;
  *out_size = 0;
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4) {
    snprintf(message, capacity, "cannot encode a %dx%d image with %d channels as PNG", width, height, channels);
    return 1;
  }
  static const int types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
  struct png_encode_failure failure;
  failure.text[0] = 0;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &failure, png_encode_fail, png_encode_quiet);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (png == NULL || info == NULL) {
    png_destroy_write_struct(&png, NULL);
    snprintf(message, capacity, "libpng could not start an encoder");
    return 1;
  }
  struct png_sink sink = {NULL, 0, 0, 0};
  png_bytep *volatile rows = NULL;
  if (setjmp(failure.jump)) {
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(sink.data);
    snprintf(message, capacity, "%s", failure.text);
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
