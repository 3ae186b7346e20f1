// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
#if canImport(Glibc)
import Glibc
#endif

/// Reads an image file's bytes, refusing what is not a regular file before reading: a FIFO named `.png`
/// would block forever and `/dev/zero` would fill memory, and both gave a misleading "permission" error.
enum ImageFile {
    /// The largest image file read (2 GiB): no supported image of 2²⁸ pixels needs more.
    static let maximumBytes = 1 << 31

    /// The bytes of the regular file at `url`.
    ///
    /// - Throws: ``ImageDecodingError`` naming the file: missing, unreadable, not a regular file (a folder,
    ///   FIFO, device or socket), or larger than ``maximumBytes``.
    static func contents(of url: URL) throws -> Data {
        let descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be opened (\(String(cString: strerror(errno))))"
            throw ImageDecodingError(file: url.path, reason: reason)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ImageDecodingError(file: url.path, reason: "cannot be examined (\(String(cString: strerror(errno))))")
        }
        let kind: String? = switch info.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
        if let kind {
            throw ImageDecodingError(file: url.path, reason: "is \(kind), not an image file; give the path of a JPEG, PNG, BMP, TIFF or DICOM file")
        }
        guard Int(info.st_size) <= maximumBytes else {
            throw ImageDecodingError(file: url.path, reason: "is \(info.st_size) bytes, more than the \(maximumBytes >> 30) GiB an image file may have")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw ImageDecodingError(file: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
    }
}
