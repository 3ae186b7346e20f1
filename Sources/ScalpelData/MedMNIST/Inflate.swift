// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CZlib
import Torch

/// Raw DEFLATE (RFC 1951) decompression through the system zlib, for the deflated entries of `.npz`
/// files (zip method 8), which is how `np.savez_compressed` — and the official MedMNIST files — store
/// their arrays.
///
/// The declared size is checked before anything is allocated: against ``InputLimits/decompressedBytes``
/// and against ``InputLimits/compressionRatio`` times the compressed size (a "deflate bomb" declares a
/// size no honest DEFLATE stream reaches). The output never grows past the declared size, and data that
/// inflates to more or fewer bytes than declared is an error.
enum Inflate {
    struct InflateError: Error { var reason: String }

    /// Decompresses `input` into exactly `expectedSize` bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int,
                           limits: InputLimits = .current) throws -> [UInt8] {
        guard expectedSize >= 0 else { throw InflateError(reason: "the declared size \(expectedSize) is negative") }
        guard expectedSize <= limits.decompressedBytes else {
            throw InflateError(reason: limits.refusal("the declared uncompressed size", "\(expectedSize) bytes", .decompressedBytes))
        }
        let (ratioBound, overflow) = Swift.max(input.count, 1).multipliedReportingOverflow(by: limits.compressionRatio)
        guard overflow || expectedSize <= ratioBound else {
            throw InflateError(reason: limits.refusal(
                "the compression ratio (\(expectedSize) bytes declared from \(input.count) compressed)",
                expectedSize / Swift.max(input.count, 1), .compressionRatio))
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InflateError(reason: "zlib could not start (out of memory)")
        }
        defer { inflateEnd(&stream) }
        // One spare byte tells "longer than declared" apart from "exactly as declared".
        let capacity = expectedSize + 1
        var failure: String?
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialised in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.next_out = buffer.baseAddress
            var inputLeft = input.count, outputLeft = capacity
            var status = Z_OK
            while status == Z_OK {
                // zlib counts in UInt32: feed at most 1 GiB per call.
                let inChunk = Swift.min(inputLeft, 1 << 30), outChunk = Swift.min(outputLeft, 1 << 30)
                stream.avail_in = UInt32(inChunk)
                stream.avail_out = UInt32(outChunk)
                status = inflate(&stream, Z_NO_FLUSH)
                inputLeft -= inChunk - Int(stream.avail_in)
                outputLeft -= outChunk - Int(stream.avail_out)
                if outputLeft == 0, status != Z_STREAM_END { break }
            }
            initialised = capacity - outputLeft
            switch status {
            case Z_STREAM_END: break
            case Z_BUF_ERROR where outputLeft > 0: failure = "compressed data ends early (truncated)"
            case Z_OK, Z_BUF_ERROR: failure = "data is longer than the \(expectedSize) bytes the zip entry declares"
            case Z_MEM_ERROR: failure = "out of memory while inflating"
            default:
                let text = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                failure = "corrupt deflate data (zlib: \(text))"
            }
        }
        if let failure { throw InflateError(reason: failure) }
        guard output.count == expectedSize else {
            throw InflateError(reason: "inflates to \(output.count) bytes but the zip entry declares \(expectedSize)")
        }
        return output
    }
}
