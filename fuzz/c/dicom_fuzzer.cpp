// Scalpel — fuzz: libFuzzer harness for the DICOM shim over DCMTK (header reading and frame rendering).
// Pixel limits are set low (2^22 pixels per frame) so an accepted frame never allocates much.
// SPDX-License-Identifier: Apache-2.0
#include "cdicom.h"

#include <cstddef>
#include <cstdint>

// DCMTK's first use loads its data dictionary (a second under AddressSanitizer): do it before timing starts.
extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  uint8_t warm[140] = {0};
  warm[128] = 'D', warm[129] = 'I', warm[130] = 'C', warm[131] = 'M';
  char message[512];
  scalpel_dicom_header header;
  scalpel_dicom_read_header(warm, sizeof warm, nullptr, &header, message, sizeof message);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const scalpel_dicom_limits limits = {32, 1u << 14, 1u << 22};
  char message[512];
  scalpel_dicom_header header;
  scalpel_dicom_read_header(data, size, &limits, &header, message, sizeof message);
  scalpel_dicom_options options = {};
  options.window_mode = SCALPEL_DICOM_WINDOW_MIN_MAX;
  scalpel_dicom_image image;
  if (scalpel_dicom_decode(data, size, &options, &limits, &image, message, sizeof message) == 0) {
    scalpel_dicom_image_free(&image);
  }
  return 0;
}
