/* Scalpel — fuzz: libFuzzer harness for the C image codecs (JPEG, PNG, BMP, TIFF).
 * The format comes from the first bytes, as ImageDecoder does; every decoder is also tried on every
 * input so a crafted file of one format cannot hide from another's parser. Pixel limits are set low
 * (2^22 pixels) so an accepted image never allocates more than a few tens of MB.
 * SPDX-License-Identifier: Apache-2.0 */
#include "image_codecs.h"

#include <stddef.h>
#include <stdint.h>

typedef int (*decoder)(const uint8_t *, size_t, const scalpel_pixel_limits *, scalpel_image *, char *, size_t);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const decoder decoders[] = {scalpel_decode_jpeg, scalpel_decode_png, scalpel_decode_bmp, scalpel_decode_tiff};
  const scalpel_pixel_limits limits = {1u << 14, 1u << 22};
  char message[512];
  for (size_t i = 0; i < sizeof decoders / sizeof decoders[0]; ++i) {
    scalpel_image image;
    if (decoders[i](data, size, &limits, &image, message, sizeof message) == 0) {
      /* Touch every byte: a short allocation shows up under AddressSanitizer. */
      size_t count = (size_t)image.width * (size_t)image.height * (size_t)image.channels * (size_t)image.bytes_per_sample;
      volatile uint8_t sum = 0;
      for (size_t j = 0; j < count; ++j) sum ^= image.pixels[j];
      (void)sum;
      scalpel_image_free(&image);
    }
  }
  return 0;
}
