// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CImageCodecs
import Foundation
import Torch

/// Decodes JPEG, PNG, BMP and TIFF files to host samples: JPEG through libjpeg-turbo, PNG (8/16 bit)
/// through libpng, BMP (8-bit palette and 16/24/32-bit colour, to 8-bit samples) through stb_image, and
/// TIFF (first page: 8/16-bit unsigned gray and RGB, with or without alpha; 8-bit palette, YCbCr and
/// tiled colour) through libtiff, and DICOM through DCMTK (``DicomDecoder``, with the file's window).
/// The format comes from the file's first bytes, not its name.
public enum ImageDecoder {
    /// The formats recognised from a file's first bytes.
    public enum Format: String, Sendable, CaseIterable {
        case jpeg = "JPEG", png = "PNG", bmp = "BMP", tiff = "TIFF"
    }

    /// The format of `bytes` (a file's first bytes: 4 are enough), or nil when none is recognised.
    public static func format(of bytes: some Collection<UInt8>) -> Format? {
        let head = Array(bytes.prefix(4))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if head.starts(with: [0x42, 0x4D]) { return .bmp }  // "BM"
        if head == [0x49, 0x49, 0x2A, 0x00] || head == [0x4D, 0x4D, 0x00, 0x2A] { return .tiff }  // "II*\0", "MM\0*"
        // DICOM files ("DICM" at byte 128) go to DicomDecoder, with the file's window.
        return nil
    }

    /// Decodes the image at `url`.
    ///
    /// - Throws: ``ImageDecodingError`` naming the file and what the decoder said (unreadable, not an
    ///   image, an unsupported format or layout, corrupt or truncated data).
    public static func decode(contentsOf url: URL) throws -> DecodedImage {
        try decode(ImageFile.contents(of: url), source: url.path)
    }

    /// Decodes image bytes; `source` names them in errors.
    public static func decode(_ data: Data, source: String) throws -> DecodedImage {
        if DicomDecoder.isDicom(data) { return try DicomDecoder.decode(data, source: source) }
        guard let format = format(of: data.prefix(4)) else {
            throw ImageDecodingError(file: source, reason: "is not a JPEG, PNG, BMP, TIFF or DICOM image (unrecognised first bytes)")
        }
        // Dispatch by format (DICOM, above, decodes through CDicom).
        let decoder: CodecFunction = switch format {
        case .jpeg: scalpel_decode_jpeg
        case .png: scalpel_decode_png
        case .bmp: scalpel_decode_bmp
        case .tiff: scalpel_decode_tiff
        }
        return try decode(data, source: source, format: format, with: decoder)
    }

    /// The shape every CImageCodecs decoder has: bytes, size, result, message buffer, its capacity.
    private typealias CodecFunction = (UnsafePointer<UInt8>, Int, UnsafePointer<scalpel_pixel_limits>,
                                       UnsafeMutablePointer<scalpel_image>, UnsafeMutablePointer<CChar>, Int) -> Int32

    /// The pixel limits of ``InputLimits/current`` as the C decoders take them.
    static var pixelLimits: scalpel_pixel_limits {
        let limits = InputLimits.current
        return scalpel_pixel_limits(max_side: UInt64(limits.imageSide), max_pixels: UInt64(limits.imagePixels))
    }

    private static func decode(_ data: Data, source: String, format: Format, with decoder: CodecFunction) throws -> DecodedImage {
        var image = scalpel_image()
        var message = [CChar](repeating: 0, count: 512)
        var limits = pixelLimits
        let status = data.withUnsafeBytes { raw -> Int32 in
            message.withUnsafeMutableBufferPointer { text -> Int32 in
                guard let bytes = raw.bindMemory(to: UInt8.self).baseAddress, let buffer = text.baseAddress else { return -1 }
                return decoder(bytes, raw.count, &limits, &image, buffer, text.count)
            }
        }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageDecodingError(file: source, reason: "cannot be decoded as \(format.rawValue): \(reason.isEmpty ? "no data" : reason)")
        }
        defer { scalpel_image_free(&image) }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        let samples: DecodedImage.Samples = image.bytes_per_sample == 2
            ? .uint16(image.pixels.withMemoryRebound(to: UInt16.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) })
            : .uint8(Array(UnsafeBufferPointer(start: image.pixels, count: count)))
        return DecodedImage(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                            samples: samples)
    }
}

/// An image that cannot be read or decoded; the message names the file.
public struct ImageDecodingError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var reason: String
    public var description: String { "\(file): \(reason)" }
}
