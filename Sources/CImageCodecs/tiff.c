/* Scalpel — CImageCodecs: TIFF through libtiff, read from memory. libtiff reports errors through a
 * callback; this file gives each decode its own callback (TIFFOpenOptions, libtiff ≥ 4.5) that keeps
 * the first message, so decodes on several threads never share state and nothing goes to stderr.
 * SPDX-License-Identifier: Apache-2.0 */
#include "image_codecs.h"
#include "codec_message.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

struct tiff_source {
  const uint8_t *data;
  toff_t size;
  toff_t offset;
  char error[256];
};

static tmsize_t tiff_read(thandle_t handle, void *target, tmsize_t count) {
  struct tiff_source *source = handle;
  if (count <= 0 || source->offset >= source->size) return 0;
  toff_t available = source->size - source->offset;
  toff_t n = (toff_t)count < available ? (toff_t)count : available;
  memcpy(target, source->data + source->offset, (size_t)n);
  source->offset += n;
  return (tmsize_t)n;
}

static tmsize_t tiff_write(thandle_t handle, void *buffer, tmsize_t count) {
  (void)handle;
  (void)buffer;
  (void)count;
  return -1;
}

static toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
  struct tiff_source *source = handle;
  toff_t base = whence == SEEK_CUR ? source->offset : whence == SEEK_END ? source->size : 0;
  source->offset = base + offset;
  return source->offset;
}

static int tiff_close(thandle_t handle) {
  (void)handle;
  return 0;
}

static toff_t tiff_size(thandle_t handle) { return ((struct tiff_source *)handle)->size; }

static int tiff_map(thandle_t handle, void **base, toff_t *size) {
  struct tiff_source *source = handle;
  *base = (void *)source->data;
  *size = source->size;
  return 1;
}

static void tiff_unmap(thandle_t handle, void *base, toff_t size) {
  (void)handle;
  (void)base;
  (void)size;
}

static int tiff_error(TIFF *tiff, void *user, const char *module, const char *format, va_list arguments) {
  (void)tiff;
  (void)module;
  struct tiff_source *source = user;
  if (source->error[0] == 0) vsnprintf(source->error, sizeof source->error, format, arguments);
  return 1;
}

static int tiff_warning(TIFF *tiff, void *user, const char *module, const char *format, va_list arguments) {
  (void)tiff;
  (void)user;
  (void)module;
  (void)format;
  (void)arguments;
  return 1;
}

/* Fails the decode with libtiff's own message when it gave one, else with `fallback`. */
static int tiff_fail(TIFF *tiff, struct tiff_source *source, void *buffer, const char *fallback, char *message,
                     size_t capacity) {
  if (source->error[0]) {
    scalpel_format_message(message, capacity, "%s", source->error);
  } else {
    scalpel_format_message(message, capacity, "%s", fallback);
  }
  free(buffer);
  if (tiff) TIFFClose(tiff);
  return 1;
}

/* Refuses a layout this decoder does not read, with `text` (not an earlier libtiff message). */
static int tiff_refuse(TIFF *tiff, struct tiff_source *source, const char *text, char *message, size_t capacity) {
  source->error[0] = 0;
  return tiff_fail(tiff, source, NULL, text, message, capacity);
}

/* Layouts libtiff converts (palette, YCbCr, tiles, separate planes, gray below 8 bits) through its
 * RGBA interface; `keep` is 1 (gray: the red channel), 3 or 4 (libtiff premultiplies unassociated alpha). */
static int tiff_read_rgba(TIFF *tiff, struct tiff_source *source, uint32_t width, uint32_t height, int keep,
                          scalpel_image *out, char *message, size_t capacity) {
  size_t count = (size_t)width * height;
  uint32_t *rgba = malloc(count * sizeof *rgba);
  uint8_t *pixels = malloc(count * (size_t)keep);
  if (rgba == NULL || pixels == NULL) {
    free(pixels);
    return tiff_fail(tiff, source, rgba, "out of memory decoding TIFF", message, capacity);
  }
  if (!TIFFReadRGBAImageOriented(tiff, width, height, rgba, ORIENTATION_TOPLEFT, 0)) {
    free(pixels);
    return tiff_fail(tiff, source, rgba, "corrupt or truncated TIFF data", message, capacity);
  }
  for (size_t i = 0; i < count; ++i) {
    uint32_t p = rgba[i];
    uint8_t channel[4] = {(uint8_t)TIFFGetR(p), (uint8_t)TIFFGetG(p), (uint8_t)TIFFGetB(p), (uint8_t)TIFFGetA(p)};
    memcpy(pixels + i * (size_t)keep, channel, (size_t)keep);
  }
  free(rgba);
  out->pixels = pixels;
  out->channels = keep;
  out->bytes_per_sample = 1;
  return 0;
}

/* Strips of interleaved unsigned samples (8 or 16 bit), read scanline by scanline; min-is-white gray
 * is inverted so 0 is always black. */
static int tiff_read_scanlines(TIFF *tiff, struct tiff_source *source, uint32_t width, uint32_t height,
                               int channels, int bytes, int invert, scalpel_image *out, char *message,
                               size_t capacity) {
  size_t stride = (size_t)width * (size_t)channels * (size_t)bytes;
  if ((size_t)TIFFScanlineSize(tiff) != stride) {
    return tiff_fail(tiff, source, NULL, "TIFF scanline size does not match its width and samples", message, capacity);
  }
  uint8_t *pixels = malloc(stride * height);
  if (pixels == NULL) return tiff_fail(tiff, source, NULL, "out of memory decoding TIFF", message, capacity);
  for (uint32_t y = 0; y < height; ++y) {
    if (TIFFReadScanline(tiff, pixels + stride * y, y, 0) < 0) {
      return tiff_fail(tiff, source, pixels, "corrupt or truncated TIFF data", message, capacity);
    }
  }
  if (invert) {
    size_t count = (size_t)width * height * (size_t)channels;
    if (bytes == 2) {
      uint16_t *words = (uint16_t *)pixels;
      for (size_t i = 0; i < count; ++i) words[i] = (uint16_t)(0xFFFF - words[i]);
    } else {
      for (size_t i = 0; i < count; ++i) pixels[i] = (uint8_t)(0xFF - pixels[i]);
    }
  }
  out->pixels = pixels;
  out->channels = channels;
  out->bytes_per_sample = bytes;
  return 0;
}

int scalpel_decode_tiff(const uint8_t *data, size_t size, const scalpel_pixel_limits *limits, scalpel_image *out,
                        char *message, size_t capacity) {
  memset(out, 0, sizeof *out);
  struct tiff_source source = {data, (toff_t)size, 0, {0}};
  TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
  if (options == NULL) {
    scalpel_format_message(message, capacity, "out of memory decoding TIFF");
    return 1;
  }
  TIFFOpenOptionsSetErrorHandlerExtR(options, tiff_error, &source);
  TIFFOpenOptionsSetWarningHandlerExtR(options, tiff_warning, &source);
  TIFF *tiff = TIFFClientOpenExt("TIFF", "rm", &source, tiff_read, tiff_write, tiff_seek, tiff_close, tiff_size,
                                 tiff_map, tiff_unmap, options);
  TIFFOpenOptionsFree(options);
  if (tiff == NULL) return tiff_fail(NULL, &source, NULL, "not a readable TIFF file", message, capacity);

  uint32_t width = 0, height = 0;
  uint16_t bits = 1, samples = 1, format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG, photometric = 0;
  uint16_t extra_count = 0;
  uint16_t *extra = NULL;
  TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);
  if (!TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric)) {
    photometric = samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  }
  if (width == 0 || height == 0 || width > (1u << 24) || height > (1u << 24)) {
    return tiff_refuse(tiff, &source, "TIFF has an empty or implausibly large size", message, capacity);
  }
  {
    char text[300];
    if (scalpel_check_pixel_limits(limits, "TIFF", width, height, 1, text, sizeof text)) {
      return tiff_refuse(tiff, &source, text, message, capacity);
    }
  }
  out->width = (int32_t)width;
  out->height = (int32_t)height;
  if (format == SAMPLEFORMAT_IEEEFP) {
    return tiff_refuse(tiff, &source,
                     "floating-point TIFF samples are not supported; convert the image to 8- or 16-bit unsigned integers",
                     message, capacity);
  }
  if (format != SAMPLEFORMAT_UINT) {
    return tiff_refuse(tiff, &source,
                     "signed or complex TIFF samples are not supported; convert the image to 8- or 16-bit unsigned integers",
                     message, capacity);
  }
  int gray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE;
  int has_alpha = extra_count > 0;
  int colour_channels = gray ? 1 : 3;
  int direct = !TIFFIsTiled(tiff) && (planar == PLANARCONFIG_CONTIG || samples == 1);
  int result;
  if (bits == 16) {
    int channels = samples;
    int layout_ok = direct && (photometric == PHOTOMETRIC_RGB || gray) && samples == colour_channels + (has_alpha ? 1 : 0);
    if (!layout_ok) {
      return tiff_refuse(tiff, &source,
                       "this 16-bit TIFF layout is not supported (only untiled, interleaved gray or RGB, with or "
                       "without alpha); save it as an untiled interleaved TIFF or a 16-bit PNG",
                       message, capacity);
    }
    result = tiff_read_scanlines(tiff, &source, width, height, channels, 2, photometric == PHOTOMETRIC_MINISWHITE, out,
                                 message, capacity);
  } else if (bits == 8 && direct && (gray || photometric == PHOTOMETRIC_RGB) &&
             samples == colour_channels + (has_alpha ? 1 : 0)) {
    /* Plain interleaved gray or RGB: read as stored (the RGBA interface would premultiply alpha). */
    result = tiff_read_scanlines(tiff, &source, width, height, samples, 1, photometric == PHOTOMETRIC_MINISWHITE, out,
                                 message, capacity);
  } else if (bits <= 8) {
    char why[1024] = "";
    if (!TIFFRGBAImageOK(tiff, why)) {
      char text[1200];
      snprintf(text, sizeof text, "this TIFF layout is not supported (libtiff: %s)", why);
      return tiff_refuse(tiff, &source, text, message, capacity);
    }
    result = tiff_read_rgba(tiff, &source, width, height, gray ? 1 : (has_alpha ? 4 : 3), out, message, capacity);
  } else {
    char text[160];
    snprintf(text, sizeof text, "%u-bit TIFF samples are not supported; convert the image to 8 or 16 bits", bits);
    return tiff_refuse(tiff, &source, text, message, capacity);
  }
  if (result != 0) return result; /* tiff_fail closed the file */
  TIFFClose(tiff);
  return 0;
}
