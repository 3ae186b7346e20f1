// Scalpel — CDicom
// SPDX-License-Identifier: Apache-2.0
// Codec registration, parsing a Part 10 file from memory, and its header fields.
#include "internal.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>

namespace scalpel_dicom {

void report(char *message, size_t capacity, const char *format, ...) {
  if (message == nullptr || capacity == 0) return;
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, capacity, format, args);
  va_end(args);
}

void ensure_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs warnings to stderr; errors reach the caller as messages instead.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    DcmRLEDecoderRegistration::registerCodecs();
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
  });
}

namespace {

/// Copies a string attribute (first value, padding trimmed) into a fixed buffer; empty when absent.
void copy_string(DcmItem *item, const DcmTagKey &tag, char *into, size_t capacity) {
  into[0] = '\0';
  OFString value;
  if (item != nullptr && item->findAndGetOFString(tag, value).good()) {
    std::snprintf(into, capacity, "%s", value.c_str());
    size_t length = std::strlen(into);
    while (length > 0 && (into[length - 1] == ' ' || into[length - 1] == '\0')) into[--length] = '\0';
  }
}

int32_t unsigned_short(DcmItem *item, const DcmTagKey &tag, int32_t fallback) {
  Uint16 value = 0;
  return item->findAndGetUint16(tag, value).good() ? static_cast<int32_t>(value) : fallback;
}

}  // namespace

int parse(const uint8_t *data, size_t size, const scalpel_dicom_limits *limits, DcmFileFormat &file,
          scalpel_dicom_header &header, char *message, size_t capacity) {
  std::memset(&header, 0, sizeof header);
  if (data == nullptr || size < 132 || std::memcmp(data + 128, "DICM", 4) != 0) {
    report(message, capacity,
           "is not a DICOM file (no 'DICM' marker at byte 128; files without the Part 10 preamble are not "
           "supported)");
    return 1;
  }
  ensure_initialised();
  if (!dcmDataDict.isDictionaryLoaded()) {
    report(message, capacity,
           "cannot be read: DCMTK's data dictionary is not loaded (install DCMTK's data files, e.g. Debian's "
           "dcmtk package, or point DCMDICTPATH at dicom.dic)");
    return 2;
  }
  if (int status = check_nesting(data, size, limits ? limits->max_sequence_depth : 0, message, capacity)) return status;
  DcmInputBufferStream stream;
  stream.setBuffer(data, static_cast<offile_off_t>(size));
  stream.setEos();
  file.transferInit();
  OFCondition status = file.read(stream);
  file.transferEnd();
  if (status.bad()) {
    // DCMTK answers a value running past the end of the data with "Invalid stream" (or a stream notice).
    report(message, capacity, "cannot be parsed as DICOM (DCMTK: %s): the file is truncated or corrupt",
           status.text());
    return 2;
  }
  DcmDataset *dataset = file.getDataset();
  if (dataset == nullptr) {
    report(message, capacity, "has no dataset after its file meta information");
    return 2;
  }
  header.rows = unsigned_short(dataset, DCM_Rows, 0);
  header.columns = unsigned_short(dataset, DCM_Columns, 0);
  header.samples_per_pixel = unsigned_short(dataset, DCM_SamplesPerPixel, 1);
  header.bits_allocated = unsigned_short(dataset, DCM_BitsAllocated, 0);
  header.bits_stored = unsigned_short(dataset, DCM_BitsStored, header.bits_allocated);
  header.pixel_representation = unsigned_short(dataset, DCM_PixelRepresentation, 0);
  Sint32 frames = 1;
  header.frames = dataset->findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 0 ? frames : 1;
  header.has_pixel_data = dataset->tagExists(DCM_PixelData) ? 1 : 0;
  Float64 center = 0, width = 0;
  if (dataset->findAndGetFloat64(DCM_WindowCenter, center).good() &&
      dataset->findAndGetFloat64(DCM_WindowWidth, width).good()) {
    header.has_window = 1;
    header.window_center = center;
    header.window_width = width;
  }
  Float64 slope = 1, intercept = 0;
  header.rescale_slope = dataset->findAndGetFloat64(DCM_RescaleSlope, slope).good() ? slope : 1;
  header.rescale_intercept = dataset->findAndGetFloat64(DCM_RescaleIntercept, intercept).good() ? intercept : 0;
  copy_string(dataset, DCM_PhotometricInterpretation, header.photometric, sizeof header.photometric);
  copy_string(dataset, DCM_PatientID, header.patient_id, sizeof header.patient_id);
  copy_string(dataset, DCM_StudyInstanceUID, header.study_uid, sizeof header.study_uid);
  copy_string(dataset, DCM_Modality, header.modality, sizeof header.modality);
  copy_string(file.getMetaInfo(), DCM_TransferSyntaxUID, header.transfer_syntax, sizeof header.transfer_syntax);
  return 0;
}

}  // namespace scalpel_dicom

extern "C" const char *scalpel_dicom_toolkit_version(void) { return OFFIS_DCMTK_VERSION_STRING; }

extern "C" int scalpel_dicom_read_header(const uint8_t *data, size_t size, const scalpel_dicom_limits *limits,
                                         scalpel_dicom_header *out, char *message, size_t capacity) {
  if (out == nullptr) {
    scalpel_dicom::report(message, capacity, "no header to fill (null pointer)");
    return 1;
  }
  try {
    DcmFileFormat file;
    return scalpel_dicom::parse(data, size, limits, file, *out, message, capacity);
  } catch (const std::exception &error) {
    scalpel_dicom::report(message, capacity, "cannot be read: %s", error.what());
  } catch (...) {
    scalpel_dicom::report(message, capacity, "cannot be read: unknown DCMTK error");
  }
  return 3;
}
