// Scalpel — CDicom
// SPDX-License-Identifier: Apache-2.0
// The sequence nesting of a Part 10 file, measured without recursion BEFORE DCMTK parses it: DCMTK reads
// nested sequences recursively, so a file nested tens of thousands deep would overflow the stack. The same
// walk refuses what would make DCMTK allocate or loop without end: lengths past the end of the file, and
// JPEG fragments whose marker walk cannot advance.
#include "internal.hpp"

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcdicent.h>
#include <dcmtk/dcmdata/dctag.h>

#include <cstring>
#include <string>
#include <vector>

namespace scalpel_dicom {

namespace {

constexpr uint64_t undefined_length = 0xFFFFFFFFu;

struct Frame {
  uint64_t end;       // one past the container's last byte, or undefined_length
  bool sequence;      // a sequence (holds items) rather than an item (holds elements)
  bool fragments;     // encapsulated pixel data: items hold raw bytes, not elements
  bool implicit;      // elements inside are implicit VR (inside an undefined-length UN)
  uint32_t items = 0; // fragment items seen so far (the first is the basic offset table)
};

uint16_t u16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint16_t b16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t b32(const uint8_t *p) { return static_cast<uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

/// Whether an explicit VR uses the long form (2 reserved bytes, 4-byte length). Like DCMTK, every VR that
/// is not one of the standard short-form VRs — unknown ones included — is read in the long form.
bool long_form(const char vr[2]) {
  static const char *const short_forms[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO",
                                            "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US"};
  for (const char *form : short_forms)
    if (vr[0] == form[0] && vr[1] == form[1]) return false;
  return true;
}

/// Whether `vr` is one of the standard VRs. DCMTK's handling of other bytes differs by version (it may
/// guess another encoding), so a scan that must read exactly what DCMTK reads refuses them.
bool standard_vr(const char vr[2]) {
  static const char *const known[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT",
                                      "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
                                      "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
  for (const char *form : known)
    if (vr[0] == form[0] && vr[1] == form[1]) return true;
  return false;
}

/// Refuses an element whose VR is not a standard one.
int bad_vr(uint16_t group, uint16_t element, const char vr[2], size_t position, char *message, size_t capacity) {
  report(message, capacity,
         "has element (%04X,%04X) at byte %zu with an invalid value representation (bytes %02X %02X): the file is "
         "corrupt",
         group, element, position, static_cast<unsigned char>(vr[0]), static_cast<unsigned char>(vr[1]));
  return 6;
}

bool dictionary_says_sequence(uint16_t group, uint16_t element) {
  const DcmDataDictionary &dictionary = dcmDataDict.rdlock();
  const DcmDictEntry *entry = dictionary.findEntry(DcmTagKey(group, element), nullptr);
  const bool sequence = entry != nullptr && entry->getEVR() == EVR_SQ;
  dcmDataDict.rdunlock();
  return sequence;
}

/// Refuses a value running past the end of the data: DCMTK would allocate the declared length first.
int too_long(uint16_t group, uint16_t element, uint64_t length, size_t position, size_t size, char *message,
             size_t capacity) {
  report(message, capacity,
         "has element (%04X,%04X) at byte %zu declaring %llu bytes where only %zu remain: the file is truncated or "
         "corrupt", group,
         element, position, static_cast<unsigned long long>(length), size - position);
  return 6;
}

/// Whether DCMTK decodes `syntax` with its IJG-based JPEG codecs (dcmjpeg: processes 1–14, lossless 14 SV1).
bool ijg_jpeg(const std::string &syntax) {
  static const std::string prefix = "1.2.840.10008.1.2.4.";
  if (syntax.rfind(prefix, 0) != 0 || syntax.size() != prefix.size() + 2) return false;
  const std::string process = syntax.substr(prefix.size());
  return process >= "50" && process <= "70" && process[0] >= '0' && process[0] <= '9' && process[1] >= '0' &&
         process[1] <= '9';
}

/// Walks the marker segments of a JPEG fragment the way DCMTK 3.6.7's `scanJpegDataForBitDepth` does (it
/// runs on a frame's first fragment before decoding) and returns the offset of a TEM marker (FF01) reached
/// before any frame header: there DCMTK neither advances nor stops, and loops forever. -1 when the walk ends.
int64_t stuck_jpeg_marker(const uint8_t *data, uint64_t length) {
  uint64_t offset = 0;
  while (offset + 4 < length) {
    const uint16_t marker = b16(data + offset);
    if (marker == 0xFF01) return static_cast<int64_t>(offset);
    const uint8_t code = data[offset + 1];
    if (data[offset] != 0xFF) return -1;                                      // not a marker: DCMTK stops
    if ((code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC)) return -1;  // SOFn
    if (code == 0xFF) {
      offset += 1;  // fill byte
    } else if ((code >= 0xD0 && code <= 0xD9) || (code > 0x02 && code <= 0xBF)) {
      offset += 2;  // RSTm, SOI, EOI, reserved: no length
    } else if (code >= 0xC4) {
      offset += static_cast<uint64_t>(b16(data + offset + 2)) + 2;  // a segment with a length
    } else {
      return -1;  // FF00, FF02: invalid, DCMTK stops
    }
  }
  return -1;
}

}  // namespace

int check_nesting(const uint8_t *data, size_t size, int32_t limit, char *message, size_t capacity) {
  if (limit <= 0) limit = 32;
  size_t position = 132;
  // File meta information: explicit VR little endian, group 0002; it names the dataset's transfer syntax.
  // DCMTK reads every element inside the group length (0002,0000) as meta information, whatever its group,
  // so the scan does too.
  std::string syntax;
  size_t meta_end = 0;
  while (position + 8 <= size && (u16(data + position) == 0x0002 || position < meta_end)) {
    const uint16_t group = u16(data + position), element = u16(data + position + 2);
    const char vr[2] = {static_cast<char>(data[position + 4]), static_cast<char>(data[position + 5])};
    if (!standard_vr(vr)) return bad_vr(group, element, vr, position, message, capacity);
    uint64_t length;
    if (long_form(vr)) {
      if (position + 12 > size) return too_long(group, element, 4, position + 8, size, message, capacity);
      length = u32(data + position + 8);
      position += 12;
    } else {
      length = u16(data + position + 6);
      position += 8;
    }
    if (length > size - position) return too_long(group, element, length, position, size, message, capacity);
    if (group == 0x0002 && element == 0x0000 && length == 4) meta_end = position + 4 + u32(data + position);
    if (group == 0x0002 && element == 0x0010) syntax.assign(reinterpret_cast<const char *>(data + position), length);
    position += length;
  }
  while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
  if (syntax == "1.2.840.10008.1.2.1.99") {
    report(message, capacity,
           "uses the deflated transfer syntax (1.2.840.10008.1.2.1.99), whose sequence nesting cannot be checked "
           "before parsing; re-save it uncompressed (e.g. dcmconv +te)");
    return 4;
  }
  // Without a transfer syntax DCMTK guesses the encoding, and a scan that guessed differently would miss
  // what DCMTK reads: refuse, as the standard requires one.
  bool known = syntax == "1.2.840.10008.1.2" || syntax.rfind("1.2.840.10008.1.2.", 0) == 0;
  for (char c : syntax) known = known && ((c >= '0' && c <= '9') || c == '.');
  if (!known) {
    report(message, capacity,
           "has no valid TransferSyntaxUID (0002,0010) in its file meta information (found '%.64s'); the file is "
           "corrupt or not a DICOM Part 10 file",
           syntax.c_str());
    return 4;
  }
  const bool jpeg = ijg_jpeg(syntax);
  const bool big_endian = syntax == "1.2.840.10008.1.2.2";  // explicit big endian (retired, still read)
  const bool implicit_dataset = syntax == "1.2.840.10008.1.2";

  std::vector<Frame> frames;
  int32_t depth = 0;  // sequences open
  while (position + 8 <= size) {
    while (!frames.empty() && frames.back().end != undefined_length && position >= frames.back().end) {
      if (frames.back().sequence) --depth;
      frames.pop_back();
    }
    const Frame *top = frames.empty() ? nullptr : &frames.back();
    const bool implicit = top != nullptr ? top->implicit : implicit_dataset;
    const bool big = big_endian && !implicit;  // inside an undefined-length UN, implicit little endian
    auto r16 = [big](const uint8_t *p) { return big ? b16(p) : u16(p); };
    auto r32 = [big](const uint8_t *p) { return big ? b32(p) : u32(p); };
    const uint16_t group = r16(data + position), element = r16(data + position + 2);
    if (group == 0xFFFE) {
      const uint64_t length = r32(data + position + 4);
      position += 8;
      if (element == 0xE000) {  // item
        if (top != nullptr && top->fragments) {
          if (length == undefined_length || length > size - position) {
            return too_long(group, element, length, position, size, message, capacity);
          }
          const bool offset_table = frames.back().items++ == 0;
          const int64_t stuck = jpeg && !offset_table ? stuck_jpeg_marker(data + position, length) : -1;
          if (stuck >= 0) {
            report(message, capacity,
                   "has a JPEG pixel-data fragment (at byte %zu) with a TEM marker (FF01) at fragment byte %lld "
                   "before its frame header: the JPEG stream is corrupt, and DCMTK would never finish scanning it",
                   position, static_cast<long long>(stuck));
            return 6;
          }
          position += length;
        } else {
          const uint64_t end = length == undefined_length ? undefined_length : position + length;
          frames.push_back({end, false, false, top != nullptr && top->implicit});
        }
      } else if (element == 0xE00D || element == 0xE0DD) {  // item or sequence delimitation
        if (!frames.empty()) {
          if (frames.back().sequence) --depth;
          frames.pop_back();
        }
      }
      continue;
    }
    char vr[2] = {0, 0};
    uint64_t length;
    if (implicit) {
      length = u32(data + position + 4);
      position += 8;
    } else {
      vr[0] = static_cast<char>(data[position + 4]);
      vr[1] = static_cast<char>(data[position + 5]);
      if (!standard_vr(vr)) return bad_vr(group, element, vr, position, message, capacity);
      if (long_form(vr)) {
        if (position + 12 > size) return too_long(group, element, 4, position + 8, size, message, capacity);
        length = r32(data + position + 8);
        position += 12;
      } else {
        length = r16(data + position + 6);
        position += 8;
      }
    }
    const bool is_sq = implicit ? dictionary_says_sequence(group, element) || length == undefined_length
                                : std::memcmp(vr, "SQ", 2) == 0;
    const bool is_un_sequence = !implicit && std::memcmp(vr, "UN", 2) == 0 && length == undefined_length;
    // DCMTK reads an undefined-length UN as a sequence of implicit-VR items, pixel data included, so only
    // OB/OW (or implicit) pixel data of undefined length holds raw fragments.
    const bool is_fragments = group == 0x7FE0 && element == 0x0010 && length == undefined_length && !is_un_sequence;
    if (is_fragments) {
      frames.push_back({undefined_length, false, true, implicit});
    } else if (is_sq || is_un_sequence || length == undefined_length) {
      if (++depth > limit) {
        report(message, capacity,
               "nests sequences deeper than %d levels (at byte %zu), over the limit (raise it with "
               "SCALPEL_MAX_DICOM_SEQUENCE_DEPTH=N if the file is trusted)",
               limit, position);
        return 4;
      }
      const uint64_t end = length == undefined_length ? undefined_length : position + length;
      frames.push_back({end, true, false, implicit || is_un_sequence});
    } else {
      if (length > size - position) return too_long(group, element, length, position, size, message, capacity);
      position += length;
    }
  }
  return 0;
}

}  // namespace scalpel_dicom
