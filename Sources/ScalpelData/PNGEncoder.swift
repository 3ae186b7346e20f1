// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CImageCodecs
import Foundation
import Torch

/// Encodes 8-bit images as PNG through libpng (the library ``ImageDecoder`` reads PNG with).
public enum PNGEncoder {
    /// PNG bytes of `pixels`: `height × width × channels` 8-bit samples, row-major, interleaved
    /// (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA).
    ///
    /// - Throws: ``ImageEncodingError`` for a size or channel count that does not fit, or what libpng said.
    public static func encode(_ pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
        guard (1...4).contains(channels), width > 0, height > 0, width <= 1 << 16, height <= 1 << 16,
              pixels.count == width * height * channels else {
            throw ImageEncodingError("cannot encode \(pixels.count) samples as a \(width)×\(height) PNG with \(channels) channel(s)")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = pixels.withUnsafeBufferPointer { samples in
            message.withUnsafeMutableBufferPointer { text in
                scalpel_encode_png(samples.baseAddress, Int32(width), Int32(height), Int32(channels), &output, &size,
                                   text.baseAddress, text.count)
            }
        }
        guard status == 0, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageEncodingError("PNG encoding failed: \(reason)")
        }
        defer { scalpel_encoded_free(output) }
        return Data(bytes: output, count: size)
    }
}

/// An image that cannot be encoded; the message says why.
public struct ImageEncodingError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
