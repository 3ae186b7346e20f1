// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// The central directory of a zip archive, read from borrowed bytes: enough for `torch.save` files.
///
/// Only stored (uncompressed, unencrypted) entries can be opened, which is what `torch.save` writes.
/// Zip64 sizes and offsets are understood. Nothing is decompressed or copied: ``range(of:)`` gives the
/// byte range of an entry's data inside the archive.
public struct ZipArchive {
    /// One central-directory entry. `method` is 0 (stored) or 8 (deflate); bit 0 of `flags` marks encryption.
    public struct Entry: Sendable {
        public var name: String
        public var method: Int
        public var flags: Int
        public var compressedSize: Int
        public var size: Int
        public var localHeaderOffset: Int
    }

    /// Entries in central-directory order.
    public private(set) var entries: [Entry] = []
    private var byName: [String: Int] = [:]
    private let bytes: UnsafeRawBufferPointer
    private let source: String

    static let localHeaderSignature: UInt32 = 0x0403_4B50
    private static let centralHeaderSignature: UInt32 = 0x0201_4B50
    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50

    /// Whether the bytes start like a zip archive.
    static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        ByteReader(bytes, source: "", context: "").peekUInt32(at: 0) == localHeaderSignature
    }

    /// Parses the end-of-central-directory record (zip64 if present) and the central directory.
    public init(_ bytes: UnsafeRawBufferPointer, source: String) throws {
        self.bytes = bytes
        self.source = source
        let probe = ByteReader(bytes, source: source, context: "zip archive")
        // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
        let lowest = Swift.max(0, bytes.count - 22 - 65_535)
        var endOffset = bytes.count - 22
        while endOffset >= lowest, bytes[endOffset] != 0x50 || probe.peekUInt32(at: endOffset) != Self.endSignature {
            endOffset -= 1
        }
        guard endOffset >= lowest else {
            throw SerializationError(source: source, reason: "zip archive has no end-of-central-directory record: the file is truncated or not a zip")
        }
        var end = ByteReader(bytes, from: endOffset + 4, to: bytes.count, source: source, context: "zip end-of-central-directory record")
        let disk = try end.uint16("disk number")
        _ = try end.uint16("central directory disk")
        _ = try end.uint16("entries on this disk")
        var entryCount = try end.uint16("entry count")
        var directorySize = try end.uint32("central directory size")
        var directoryOffset = try end.uint32("central directory offset")
        guard disk == 0 || disk == 0xFFFF else {
            throw SerializationError(source: source, reason: "zip archive spans several disks, which is not supported")
        }
        // A zip64 locator sits just before the end record when sizes or counts overflow the classic fields.
        if endOffset >= 20, probe.peekUInt32(at: endOffset - 20) == Self.zip64LocatorSignature {
            var locator = ByteReader(bytes, from: endOffset - 16, to: endOffset, source: source, context: "zip64 end-of-central-directory locator")
            _ = try locator.uint32("zip64 end record disk")
            let recordOffset = try locator.uint64("zip64 end record offset")
            guard probe.peekUInt32(at: recordOffset) == Self.zip64EndSignature else {
                throw SerializationError(source: source, reason: "zip64 locator points at offset \(recordOffset), where there is no zip64 end-of-central-directory record; the file is corrupt")
            }
            var record = ByteReader(bytes, from: recordOffset + 4, to: endOffset, source: source, context: "zip64 end-of-central-directory record")
            _ = try record.uint64("record size")
            _ = try record.uint16("version made by")
            _ = try record.uint16("version needed")
            _ = try record.uint32("disk number")
            _ = try record.uint32("central directory disk")
            _ = try record.uint64("entries on this disk")
            entryCount = try record.uint64("entry count")
            directorySize = try record.uint64("central directory size")
            directoryOffset = try record.uint64("central directory offset")
        }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset,
              entryCount <= directorySize / 46
        else {
            throw SerializationError(source: source, reason: "zip central directory (\(entryCount) entries, \(directorySize) bytes at offset \(directoryOffset)) does not fit the file (\(bytes.count) bytes); the file is truncated or corrupt")
        }
        let limits = InputLimits.current
        guard entryCount <= limits.zipEntries else {
            throw SerializationError(source: source, reason: "zip archive: \(limits.refusal("the entry count", entryCount, .zipEntries))")
        }
        var directory = ByteReader(bytes, from: directoryOffset, to: directoryOffset + directorySize, source: source, context: "zip central directory")
        for index in 0 ..< entryCount {
            let entry = try Self.readCentralEntry(&directory, index: index)
            byName[entry.name] = entries.count
            entries.append(entry)
        }
    }

    private static func readCentralEntry(_ reader: inout ByteReader, index: Int) throws -> Entry {
        let signature = try reader.littleEndian(4, "central directory entry \(index)")
        guard signature == UInt64(centralHeaderSignature) else {
            throw reader.error("expected central directory entry \(index) (signature 0x02014b50), found 0x\(String(signature, radix: 16))")
        }
        _ = try reader.take(4, "version fields")
        let flags = try reader.uint16("flags")
        let method = try reader.uint16("compression method")
        _ = try reader.take(8, "time, date and CRC")
        var compressedSize = try reader.uint32("compressed size")
        var size = try reader.uint32("uncompressed size")
        let nameLength = try reader.uint16("name length")
        let extraLength = try reader.uint16("extra field length")
        let commentLength = try reader.uint16("comment length")
        _ = try reader.take(8, "disk and attributes")
        var localHeaderOffset = try reader.uint32("local header offset")
        let nameBytes = try reader.take(nameLength, "entry name")
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard !escapesArchive(name) else {
            let shown = String(name.unicodeScalars.prefix(120).map { $0.value >= 32 && $0.value < 127 ? Character($0) : "?" })
            throw reader.error("entry \(index) is named '\(shown)', an absolute path or one that climbs out with '..'; such archives are refused (docs/security.md, Paths)")
        }
        var extra = ByteReader(reader.bytes, from: reader.position, to: reader.position + extraLength,
                               source: reader.source, context: "zip64 extra field of '\(name)'")
        _ = try reader.take(extraLength + commentLength, "extra field and comment of '\(name)'")
        // Zip64 extra field: the 64-bit values of exactly those fields that read 0xFFFFFFFF, in this order.
        while extra.remaining >= 4 {
            let id = try extra.uint16("extra field id")
            let length = try extra.uint16("extra field length")
            var field = ByteReader(extra.bytes, from: extra.position, to: extra.position + length, source: extra.source, context: extra.context)
            _ = try extra.take(length, "extra field data")
            guard id == 0x0001 else { continue }
            if size == 0xFFFF_FFFF { size = try field.uint64("zip64 uncompressed size") }
            if compressedSize == 0xFFFF_FFFF { compressedSize = try field.uint64("zip64 compressed size") }
            if localHeaderOffset == 0xFFFF_FFFF { localHeaderOffset = try field.uint64("zip64 local header offset") }
        }
        return Entry(name: name, method: method, flags: flags, compressedSize: compressedSize, size: size,
                     localHeaderOffset: localHeaderOffset)
    }

    /// Whether an entry name could point outside the archive's own tree if it were ever extracted: absolute
    /// (`/…`, `\\…`, `C:…`), a `..` component (with `/` or `\\` separators), or a NUL byte.
    static func escapesArchive(_ name: String) -> Bool {
        if name.hasPrefix("/") || name.hasPrefix("\\") || name.contains("\0") { return true }
        if name.count >= 2, name.dropFirst().first == ":", name.first?.isLetter == true { return true }
        return name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains("..")
    }

    /// The entry called exactly `name`, if any.
    public func entry(named name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// The bytes of a stored entry, as a range of the archive.
    func range(of entry: Entry) throws -> Range<Int> {
        func fail(_ reason: String) -> SerializationError {
            SerializationError(source: source, reason: "zip entry '\(entry.name)' \(reason)")
        }
        guard entry.flags & 1 == 0 else { throw fail("is encrypted, which is not supported") }
        guard entry.method == 0 else {
            let kind = entry.method == 8 ? "deflate" : "method \(entry.method)"
            throw fail("is compressed (\(kind)); only stored (uncompressed) entries, as torch.save writes them, can be read. Re-save the file with torch.save")
        }
        guard entry.compressedSize == entry.size else {
            throw fail("is stored but its sizes differ (\(entry.compressedSize) vs \(entry.size)); the file is corrupt")
        }
        return try rawRange(of: entry)
    }

    /// The entry's data as it lies in the archive (compressed when `entry.method` is not 0), after its
    /// local header; for readers that decompress entries themselves. Encryption is not checked here.
    public func rawRange(of entry: Entry) throws -> Range<Int> {
        func fail(_ reason: String) -> SerializationError {
            SerializationError(source: source, reason: "zip entry '\(entry.name)' \(reason)")
        }
        var local = ByteReader(bytes, from: entry.localHeaderOffset, to: bytes.count, source: source, context: "local header of zip entry '\(entry.name)'")
        let signature = try local.littleEndian(4, "a local file header")
        guard signature == UInt64(Self.localHeaderSignature) else {
            throw local.error("expected a local file header (signature 0x04034b50), found 0x\(String(signature, radix: 16)); the file is corrupt")
        }
        _ = try local.take(22, "local header fields")
        let nameLength = try local.uint16("name length")
        let extraLength = try local.uint16("extra field length")
        _ = try local.take(nameLength + extraLength, "name and extra field")
        let start = local.position
        guard entry.compressedSize <= bytes.count - start else {
            throw fail("needs \(entry.compressedSize) bytes from offset \(start) but the file has \(bytes.count) bytes; the file is truncated")
        }
        return start ..< start + entry.compressedSize
    }
}
