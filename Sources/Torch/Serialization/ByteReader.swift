// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// A bounds-checked cursor over borrowed bytes, for the binary parsers of weight files.
///
/// Every read checks the remaining length first and throws ``SerializationError`` naming the file,
/// the part being read (`context`), the byte offset and what was expected, so corrupt or truncated input
/// can never read out of bounds.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    /// Absolute offset of the next byte to read.
    var position: Int
    /// Absolute offset one past the last readable byte.
    let end: Int
    /// The file, for errors.
    let source: String
    /// The part of the file being read (`"data.pkl"`, `"zip central directory"`), for errors.
    let context: String

    /// A reader of `bytes[from ..< to]`, both bounds clamped to the buffer (an inverted range reads nothing).
    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to stop: Int = .max, source: String, context: String) {
        self.bytes = bytes
        position = Swift.min(Swift.max(0, start), bytes.count)
        end = Swift.min(bytes.count, Swift.max(position, stop))
        self.source = source
        self.context = context
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    /// An error at the current position.
    func error(_ message: String) -> SerializationError {
        SerializationError(source: source, reason: "\(context), byte \(position): \(message)")
    }

    /// Consumes `count` bytes and returns them.
    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw error("expected \(what()) (\(count) bytes) but only \(remaining) bytes remain; the file is truncated or corrupt")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position ..< position + count])
        position += count
        return slice
    }

    /// Moves to an absolute offset inside the readable range.
    mutating func seek(to offset: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, offset <= end else {
            throw error("\(what()) at offset \(offset) lies outside the data (\(end) bytes)")
        }
        position = offset
    }

    mutating func uint8(_ what: @autoclosure () -> String) throws -> UInt8 {
        try take(1, what())[0]
    }

    /// An unsigned little-endian integer of `width` bytes (at most 8).
    mutating func littleEndian(_ width: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        let raw = try take(width, what())
        var value: UInt64 = 0
        for index in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(raw[index]) }
        return value
    }

    mutating func uint16(_ what: @autoclosure () -> String) throws -> Int { Int(try littleEndian(2, what())) }
    mutating func uint32(_ what: @autoclosure () -> String) throws -> Int { Int(try littleEndian(4, what())) }

    /// A little-endian UInt64 that must fit an `Int` (a length or an offset).
    mutating func uint64(_ what: @autoclosure () -> String) throws -> Int {
        let value = try littleEndian(8, what())
        guard value <= UInt64(Int.max) else { throw error("\(what()) \(value) is out of range") }
        return Int(value)
    }

    /// Bytes up to (not including) the next newline, which is consumed; for pickle's text opcodes.
    mutating func line(_ what: @autoclosure () -> String) throws -> String {
        var index = position
        while index < end, bytes[index] != 0x0A { index += 1 }
        guard index < end else { throw error("expected \(what()) ending in a newline, found the end of the data") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position ..< index]), as: UTF8.self)
        position = index + 1
        return text
    }

    /// Reads a little-endian UInt32 at an absolute offset without moving.
    func peekUInt32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= end - 4 else { return nil }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
