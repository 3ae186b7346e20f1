// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The bytes of TensorBoard event files, written by hand: the record framing with its masked CRC-32C
/// and the few `tensorflow.Event` protobuf fields a scalar writer needs (ANALYSES.md §(e)).
///
/// Hand-encoding keeps ScalpelTraining free of a protobuf runtime and generated code for five fields;
/// the encoding is checked against the known records and read back by the `tensorboard` package in
/// the tests.
public enum TensorBoardRecord {
    /// Castagnoli CRC-32 (reflected polynomial 0x82F63B78) of `bytes`.
    public static func crc32c<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// TensorFlow's masked CRC: `((c >> 15) | (c << 17)) + 0xa282ead8` (wrapping).
    public static func maskedCRC32C<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = crc32c(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// One record: `uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)`,
    /// little-endian.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = littleEndian(UInt64(data.count))
        return length + littleEndian(maskedCRC32C(length)) + data + littleEndian(maskedCRC32C(data))
    }

    /// An `Event` with `file_version` (field 3); the first event of every file.
    public static func fileVersionEvent(wallTime: Double, version: String = "brain.Event:2") -> [UInt8] {
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.bytes(field: 3, Array(version.utf8))
        return event.buffer
    }

    /// An `Event` at `step` whose `summary` (field 5) holds one `Value{tag, simple_value}` per scalar.
    public static func scalarsEvent(_ scalars: [(tag: String, value: Double)], step: Int64, wallTime: Double) -> [UInt8] {
        var summary = ProtobufWriter()
        for scalar in scalars {
            var value = ProtobufWriter()
            value.bytes(field: 1, Array(scalar.tag.utf8))
            value.float(field: 2, Float(scalar.value))
            summary.bytes(field: 1, value.buffer)
        }
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.varint(field: 2, UInt64(bitPattern: step))
        event.bytes(field: 5, summary.buffer)
        return event.buffer
    }

    /// An `Event` at `step` with `session_log` (field 7) `{status: START}`: readers drop every earlier
    /// event whose step is ≥ `step`, so a resumed run does not draw its repeated epochs twice.
    public static func sessionStartEvent(step: Int64, wallTime: Double) -> [UInt8] {
        var sessionLog = ProtobufWriter()
        sessionLog.varint(field: 1, 1)   // SessionLog.SessionStatus.START
        var event = ProtobufWriter()
        event.double(field: 1, wallTime)
        event.varint(field: 2, UInt64(bitPattern: step))
        event.bytes(field: 7, sessionLog.buffer)
        return event.buffer
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }
}

/// Protobuf wire format for the field types an event needs.
struct ProtobufWriter {
    var buffer: [UInt8] = []

    private mutating func rawVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            buffer.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }

    private mutating func key(_ field: Int, wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }

    mutating func varint(field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        rawVarint(value)
    }

    mutating func double(field: Int, _ value: Double) {
        key(field, wireType: 1)
        buffer += TensorBoardRecord.littleEndian(value.bitPattern)
    }

    mutating func bytes(field: Int, _ value: [UInt8]) {
        key(field, wireType: 2)
        rawVarint(UInt64(value.count))
        buffer += value
    }

    mutating func float(field: Int, _ value: Float) {
        key(field, wireType: 5)
        buffer += TensorBoardRecord.littleEndian(value.bitPattern)
    }
}
