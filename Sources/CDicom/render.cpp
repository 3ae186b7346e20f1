// Scalpel — CDicom
// SPDX-License-Identifier: Apache-2.0
// Rendering one frame: checks that name the offending attribute, then DCMTK's modality LUT and VOI window.
#include "internal.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>  // colour (RGB, YBR, palette) support for DicomImage
#include <dcmtk/dcmimgle/dcmimage.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>

namespace {

using scalpel_dicom::report;

const char *const supported_photometrics[] = {"MONOCHROME1", "MONOCHROME2", "RGB", "PALETTE COLOR", "YBR_FULL",
                                              "YBR_FULL_422", "YBR_PARTIAL_420", "YBR_PARTIAL_422", "YBR_ICT",
                                              "YBR_RCT"};

bool is_supported(const char *photometric) {
  for (const char *name : supported_photometrics)
    if (std::strcmp(name, photometric) == 0) return true;
  return false;
}

/// The checks DCMTK would otherwise answer with a bare status; 0 when the frame can be rendered.
int check(DcmFileFormat &file, const scalpel_dicom_header &header, const scalpel_dicom_options &options,
          const scalpel_dicom_limits *limits, char *message, size_t capacity) {
  if (!header.has_pixel_data) {
    report(message, capacity, "has no pixel data (7FE0,0010); it is not an image (perhaps a report or a "
                              "presentation state)");
    return 4;
  }
  if (header.rows <= 0 || header.columns <= 0) {
    report(message, capacity, "has no valid image size: Rows (0028,0010) = %d, Columns (0028,0011) = %d",
           header.rows, header.columns);
    return 4;
  }
  if (header.photometric[0] == '\0') {
    report(message, capacity, "has no PhotometricInterpretation (0028,0004)");
    return 4;
  }
  if (!is_supported(header.photometric)) {
    report(message, capacity,
           "has an unsupported PhotometricInterpretation (0028,0004) '%s' (supported: MONOCHROME1, MONOCHROME2, "
           "RGB, PALETTE COLOR, YBR_FULL, YBR_FULL_422, YBR_PARTIAL_420, YBR_PARTIAL_422, YBR_ICT, YBR_RCT)",
           header.photometric);
    return 4;
  }
  if (header.bits_allocated <= 0 || header.bits_stored <= 0 || header.bits_stored > header.bits_allocated) {
    report(message, capacity, "has invalid BitsAllocated (0028,0100) = %d / BitsStored (0028,0101) = %d",
           header.bits_allocated, header.bits_stored);
    return 4;
  }
  if (header.samples_per_pixel != 1 && header.samples_per_pixel != 3) {
    report(message, capacity, "has SamplesPerPixel (0028,0002) = %d; only 1 (gray) and 3 (colour) are supported",
           header.samples_per_pixel);
    return 4;
  }
  {
    const uint64_t max_side = limits && limits->max_side ? limits->max_side : (1ull << 18);
    const uint64_t max_pixels = limits && limits->max_pixels ? limits->max_pixels : (1ull << 28);
    const uint64_t pixels = static_cast<uint64_t>(header.rows) * static_cast<uint64_t>(header.columns);
    if (static_cast<uint64_t>(header.rows) > max_side || static_cast<uint64_t>(header.columns) > max_side ||
        pixels > max_pixels) {
      report(message, capacity,
             "has Rows (0028,0010) x Columns (0028,0011) = %d x %d, over the limit of %llu pixels per side and %llu "
             "per frame (raise it with SCALPEL_MAX_IMAGE_SIDE / SCALPEL_MAX_IMAGE_PIXELS=N if the file is trusted)",
             header.rows, header.columns, static_cast<unsigned long long>(max_side),
             static_cast<unsigned long long>(max_pixels));
      return 4;
    }
  }
  if (options.frame < 0 || options.frame >= header.frames) {
    report(message, capacity, "has no frame %d: NumberOfFrames (0028,0008) is %d, so use a frame index from 0 to %d",
           options.frame, header.frames, header.frames - 1);
    return 5;
  }
  DcmDataset *dataset = file.getDataset();
  DcmXfer xfer(dataset->getOriginalXfer());
  DcmElement *pixels = nullptr;
  if (xfer.isNotEncapsulated() && dataset->findAndGetElement(DCM_PixelData, pixels).good() && pixels != nullptr) {
    // Every factor comes from the file: multiply with overflow checks, so a wrapped product cannot pass.
    unsigned long long bits = 0;
    bool overflow = __builtin_mul_overflow(static_cast<unsigned long long>(header.rows),
                                           static_cast<unsigned long long>(header.columns), &bits);
    overflow = overflow || __builtin_mul_overflow(bits, static_cast<unsigned long long>(header.samples_per_pixel), &bits);
    overflow = overflow || __builtin_mul_overflow(bits, static_cast<unsigned long long>(header.bits_allocated), &bits);
    overflow = overflow || __builtin_mul_overflow(bits, static_cast<unsigned long long>(header.frames), &bits);
    overflow = overflow || __builtin_add_overflow(bits, 7ull, &bits);
    if (overflow) {
      report(message, capacity,
             "has an impossible pixel data size: %d frame(s) of %d×%d×%d at %d bits overflow a 64-bit byte count",
             header.frames, header.columns, header.rows, header.samples_per_pixel, header.bits_allocated);
      return 6;
    }
    const unsigned long long needed = bits / 8;
    const unsigned long long length = pixels->getLength();
    if (length < needed) {
      report(message, capacity,
             "has truncated pixel data (7FE0,0010): %llu bytes, but %d frame(s) of %d×%d×%d at %d bits need %llu",
             length, header.frames, header.columns, header.rows, header.samples_per_pixel, header.bits_allocated,
             needed);
      return 6;
    }
  }
  return 0;
}

/// Chooses the VOI window of a monochrome image; 0 on success.
int apply_window(DicomImage &image, const scalpel_dicom_header &header, const scalpel_dicom_options &options,
                 char *message, size_t capacity) {
  switch (options.window_mode) {
  case SCALPEL_DICOM_WINDOW_EXPLICIT:
    if (image.setWindow(options.window_center, options.window_width)) return 0;
    report(message, capacity, "cannot use the window centre %g, width %g (the width must be at least 1)",
           options.window_center, options.window_width);
    return 7;
  case SCALPEL_DICOM_WINDOW_FROM_FILE:
    if (image.getWindowCount() > 0) {
      if (image.setWindow(0)) return 0;
      report(message, capacity,
             "has an invalid first window: WindowCenter (0028,1050) = %g, WindowWidth (0028,1051) = %g (the width "
             "must be at least 1); decode it with the min-max window or an explicit one instead",
             header.window_center, header.window_width);
      return 7;
    }
    [[fallthrough]];
  default:
    if (image.setMinMaxWindow(0)) return 0;
    report(message, capacity, "cannot compute a min-max window for its pixel values");
    return 7;
  }
}

int decode(const uint8_t *data, size_t size, const scalpel_dicom_options &options, const scalpel_dicom_limits *limits,
           scalpel_dicom_image &out, char *message, size_t capacity) {
  if (options.window_mode < SCALPEL_DICOM_WINDOW_FROM_FILE || options.window_mode > SCALPEL_DICOM_WINDOW_EXPLICIT) {
    report(message, capacity, "unknown window mode %d", options.window_mode);
    return 1;
  }
  if (options.window_mode == SCALPEL_DICOM_WINDOW_EXPLICIT &&
      !(std::isfinite(options.window_center) && std::isfinite(options.window_width) && options.window_width >= 1)) {
    report(message, capacity, "cannot use the window centre %g, width %g (both must be finite, the width at least 1)",
           options.window_center, options.window_width);
    return 1;
  }
  DcmFileFormat file;
  if (int status = scalpel_dicom::parse(data, size, limits, file, out.header, message, capacity)) return status;
  if (int status = check(file, out.header, options, limits, message, capacity)) return status;

  DicomImage image(&file, file.getDataset()->getOriginalXfer(), 0, static_cast<unsigned long>(options.frame), 1);
  if (image.getStatus() != EIS_Normal) {
    report(message, capacity, "cannot be rendered (%s; PhotometricInterpretation '%s', transfer syntax %s)",
           DicomImage::getString(image.getStatus()), out.header.photometric, out.header.transfer_syntax);
    return 8;
  }
  const bool monochrome = image.isMonochrome() != 0;
  if (monochrome) {
    if (int status = apply_window(image, out.header, options, message, capacity)) return status;
  }
  const int bits = monochrome ? 16 : 8;
  const unsigned long bytes = image.getOutputDataSize(bits);
  const int channels = monochrome ? 1 : 3;
  const unsigned long expected = image.getWidth() * image.getHeight() * channels * (monochrome ? 2 : 1);
  if (bytes == 0 || bytes != expected) {
    report(message, capacity, "cannot be rendered: DCMTK produced %lu bytes for a %lu×%lu frame", bytes,
           image.getWidth(), image.getHeight());
    return 8;
  }
  auto *pixels = static_cast<uint8_t *>(std::malloc(bytes));
  if (pixels == nullptr) {
    report(message, capacity, "cannot be rendered: out of memory for %lu bytes", bytes);
    return 9;
  }
  if (!image.getOutputData(pixels, bytes, bits, 0, 0)) {
    std::free(pixels);
    report(message, capacity, "cannot be rendered: DCMTK could not produce the output frame");
    return 8;
  }
  out.pixels = pixels;
  out.width = static_cast<int32_t>(image.getWidth());
  out.height = static_cast<int32_t>(image.getHeight());
  out.channels = channels;
  out.bytes_per_sample = monochrome ? 2 : 1;
  return 0;
}

}  // namespace

extern "C" int scalpel_dicom_decode(const uint8_t *data, size_t size, const scalpel_dicom_options *options,
                                    const scalpel_dicom_limits *limits, scalpel_dicom_image *out, char *message,
                                    size_t capacity) {
  if (out == nullptr || options == nullptr) {
    report(message, capacity, "no options or image to fill (null pointer)");
    return 1;
  }
  std::memset(out, 0, sizeof *out);
  try {
    return decode(data, size, *options, limits, *out, message, capacity);
  } catch (const std::exception &error) {
    scalpel_dicom_image_free(out);
    report(message, capacity, "cannot be decoded: %s", error.what());
  } catch (...) {
    scalpel_dicom_image_free(out);
    report(message, capacity, "cannot be decoded: unknown DCMTK error");
  }
  return 3;
}

extern "C" void scalpel_dicom_image_free(scalpel_dicom_image *image) {
  if (image == nullptr) return;
  std::free(image->pixels);
  image->pixels = nullptr;
}
