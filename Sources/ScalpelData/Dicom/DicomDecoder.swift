// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CDicom
import Foundation
import Torch

/// Decodes DICOM Part 10 files with DCMTK: native (uncompressed), RLE, JPEG and JPEG-LS transfer syntaxes.
///
/// A monochrome frame goes through the Modality LUT (rescale slope/intercept) and the chosen VOI
/// ``DicomWindow`` and comes back as 16-bit gray (0…65535, higher is brighter as displayed: MONOCHROME1 is
/// inverted; DCMTK keeps modality values as whole numbers, truncating a non-integer rescale result toward
/// zero); a colour frame (RGB, YBR, palette) comes back as 8-bit RGB. Multi-frame files give their
/// first frame unless `frame` names another. Safe to call from several threads at once.
public enum DicomDecoder {
    /// Decodes frame `frame` (0-based; the first by default) of the DICOM file at `url`.
    ///
    /// - Throws: ``ImageDecodingError`` naming the file and what is wrong: unreadable, not DICOM, no pixel
    ///   data, truncated, an unsupported photometric interpretation, a frame out of range, a bad window.
    public static func decode(contentsOf url: URL, window: DicomWindow = .fromFile, frame: Int = 0) throws -> DecodedImage {
        try decode(read(url), source: url.path, window: window, frame: frame)
    }

    /// Decodes DICOM bytes; `source` names them in errors.
    public static func decode(_ data: Data, source: String, window: DicomWindow = .fromFile, frame: Int = 0) throws -> DecodedImage {
        guard frame >= 0 else {
            throw ImageDecodingError(file: source, reason: "has no frame \(frame): frame indices start at 0")
        }
        var options = try window.options(frame: frame, source: source)
        var limits = dicomLimits
        var image = scalpel_dicom_image()
        let (status, message) = call(data) { bytes, count, text, capacity in
            scalpel_dicom_decode(bytes, count, &options, &limits, &image, text, capacity)
        }
        guard status == 0 else { throw ImageDecodingError(file: source, reason: message) }
        defer { scalpel_dicom_image_free(&image) }
        guard let pixels = image.pixels else {
            throw ImageDecodingError(file: source, reason: "cannot be decoded: DCMTK returned no pixels")
        }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        let samples: DecodedImage.Samples = image.bytes_per_sample == 2
            ? .uint16(pixels.withMemoryRebound(to: UInt16.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) })
            : .uint8(Array(UnsafeBufferPointer(start: pixels, count: count)))
        return DecodedImage(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                            samples: samples)
    }

    /// ``InputLimits/current`` as DCMTK's shim takes them.
    private static var dicomLimits: scalpel_dicom_limits {
        let limits = InputLimits.current
        return scalpel_dicom_limits(max_sequence_depth: Int32(clamping: limits.dicomSequenceDepth),
                                    max_side: UInt64(limits.imageSide), max_pixels: UInt64(limits.imagePixels))
    }

    /// The header of the DICOM file at `url` (the whole file is parsed, the pixels are not rendered).
    public static func header(contentsOf url: URL) throws -> DicomHeader {
        try header(read(url), source: url.path)
    }

    /// The header of DICOM bytes; `source` names them in errors.
    public static func header(_ data: Data, source: String) throws -> DicomHeader {
        var header = scalpel_dicom_header()
        var limits = dicomLimits
        let (status, message) = call(data) { bytes, count, text, capacity in
            scalpel_dicom_read_header(bytes, count, &limits, &header, text, capacity)
        }
        guard status == 0 else { throw ImageDecodingError(file: source, reason: message) }
        return DicomHeader(header)
    }

    /// Whether `data` is a DICOM Part 10 file: "DICM" at byte 128, after the preamble.
    public static func isDicom(_ data: Data) -> Bool {
        guard data.count >= 132 else { return false }
        let start = data.startIndex + 128
        return data[start..<start + 4].elementsEqual([0x44, 0x49, 0x43, 0x4D])
    }

    private static func read(_ url: URL) throws -> Data { try ImageFile.contents(of: url) }

    /// Runs a C entry point on the bytes with a message buffer; returns its status and message.
    private static func call(
        _ data: Data, _ body: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<CChar>, Int) -> Int32
    ) -> (Int32, String) {
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBytes { raw in
            message.withUnsafeMutableBufferPointer { text in
                // baseAddress is nil only for empty data; the C side reports that as "not a DICOM file".
                body(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, text.baseAddress!, text.count)
            }
        }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (status, text)
    }
}
