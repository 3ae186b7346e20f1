// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// A file of bad data; the message names the file, the key (array, entry or field) and what was
/// expected against what was found.
public struct DatasetError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String
    public var expected: String
    public var found: String

    public init(file: String, key: String, expected: String, found: String) {
        self.file = file
        self.key = key
        self.expected = expected
        self.found = found
    }

    public var description: String { "\(file): \(key): expected \(expected), found \(found)" }
}

/// A numpy `.npz` archive: a zip of `.npy` files, one per array, named `KEY.npy`.
///
/// Stored entries (`np.savez`) and deflated ones (`np.savez_compressed`, as the official MedMNIST files
/// are) are both read, in pure Swift; arrays are parsed on demand by ``array(_:)``.
public struct NpzFile: Sendable {
    /// The file, for errors.
    public let path: String
    private let bytes: Data
    private let entries: [String: ZipArchive.Entry]

    /// The array names (entry names without `.npy`), in archive order.
    public let keys: [String]

    /// Reads the zip directory of the `.npz` at `url`.
    ///
    /// - Throws: ``DatasetError`` when the file is missing or unreadable, or is not a zip archive.
    public init(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DatasetError(file: url.path, key: "file", expected: "an existing .npz file", found: "no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw DatasetError(file: url.path, key: "file", expected: "a readable .npz file", found: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    /// Reads the zip directory of `.npz` bytes; `path` names them in errors.
    ///
    /// - Throws: ``DatasetError`` when the bytes are not a zip archive or its directory is corrupt.
    public init(data: Data, path: String) throws {
        self.path = path
        bytes = data
        let listed = try bytes.withUnsafeBytes { raw -> [ZipArchive.Entry] in
            guard raw.count >= 4, raw.loadUnaligned(as: UInt32.self) == 0x0403_4B50 else {
                throw DatasetError(file: path, key: "zip header", expected: "an .npz (zip archive, first bytes PK\\3\\4)",
                                   found: raw.count < 4 ? "\(raw.count) bytes" : "other first bytes")
            }
            do {
                return try ZipArchive(raw, source: path).entries
            } catch let error as SerializationError {
                throw DatasetError(file: path, key: "zip directory", expected: "a complete zip archive", found: error.reason)
            }
        }
        var entries: [String: ZipArchive.Entry] = [:]
        var keys: [String] = []
        for entry in listed {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            entries[key] = entry
            keys.append(key)
        }
        self.entries = entries
        self.keys = keys
    }

    /// The array called `key` (entry `key.npy`).
    ///
    /// - Throws: ``DatasetError`` naming the file and key when it is absent, encrypted, compressed by a
    ///   method other than deflate, corrupt, or not a valid `.npy`.
    public func array(_ key: String) throws -> NpyArray {
        guard let entry = entries[key] else {
            throw DatasetError(file: path, key: key, expected: "an array '\(key)'", found: "keys \(keys)")
        }
        let path = self.path
        func fail(_ expected: String, _ found: String) -> DatasetError {
            DatasetError(file: path, key: key, expected: expected, found: found)
        }
        guard entry.flags & 1 == 0 else { throw fail("an unencrypted entry", "an encrypted one") }
        let payload: [UInt8] = try bytes.withUnsafeBytes { raw in
            let range: Range<Int>
            do {
                range = try ZipArchive(raw, source: path).rawRange(of: entry)
            } catch let error as SerializationError {
                throw fail("a complete zip entry", error.reason)
            }
            let slice = UnsafeRawBufferPointer(rebasing: raw[range])
            switch entry.method {
            case 0:
                guard entry.size == entry.compressedSize else {
                    throw fail("equal sizes for a stored entry", "\(entry.compressedSize) vs \(entry.size)")
                }
                return Array(slice)
            case 8:
                do {
                    return try Inflate.decompress(slice, expectedSize: entry.size)
                } catch let error as Inflate.InflateError {
                    throw fail("valid deflate data (np.savez_compressed)", error.reason)
                }
            default:
                throw fail("a stored (np.savez) or deflated (np.savez_compressed) entry", "zip method \(entry.method)")
            }
        }
        return try NpyArray(payload, source: "\(path): \(key)")
    }
}
