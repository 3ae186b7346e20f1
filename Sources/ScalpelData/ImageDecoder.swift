// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CImageCodecs
import Foundation

/// Decodes JPEG and PNG files (8 and 16 bit, gray and colour) with Debian's libjpeg-turbo and libpng.
/// The format comes from the file's first bytes, not its name.
public enum ImageDecoder {
    /// Decodes the image at `url`.
    ///
    /// - Throws: ``ImageDecodingError`` naming the file and what the decoder said (unreadable, not an
    ///   image, an unsupported format, corrupt or truncated data).
    public static func decode(contentsOf url: URL) throws -> DecodedImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageDecodingError(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try decode(data, source: url.path)
    }

    /// Decodes image bytes; `source` names them in errors.
    public static func decode(_ data: Data, source: String) throws -> DecodedImage {
        let bytes = [UInt8](data.prefix(8))
        let decoder: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<scalpel_image>, UnsafeMutablePointer<CChar>, Int) -> Int32
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            decoder = scalpel_decode_jpeg
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            decoder = scalpel_decode_png
        } else {
            throw ImageDecodingError(file: source, reason: "is not a JPEG or PNG image (unrecognised first bytes)")
        }
        var image = scalpel_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { raw -> Int32 in
            message.withUnsafeMutableBufferPointer { text in
                decoder(raw.bindMemory(to: UInt8.self).baseAddress!, raw.count, &image, text.baseAddress!, text.count)
            }
        }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageDecodingError(file: source, reason: "cannot be decoded: \(reason)")
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
public struct ImageDecodingError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var reason: String
    public var description: String { "\(file): \(reason)" }
}
