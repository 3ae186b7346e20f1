// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a folder that one process writes (a run folder, a comparison's, search's, sweep's
/// or attack's output): `flock` on `FOLDER/.scalpel.lock`, which holds the locking process's id and is
/// removed on release.
///
/// The kernel releases the lock when its holder ends in any way (exit, crash, SIGKILL), so a lock file
/// left by a dead process never blocks; a second process that wants the folder meanwhile gets an error
/// naming the folder and the holder's pid. The lock is released by ``release()`` or when the value is
/// freed; keep it alive (`defer { lock.release() }`) while writing. Two locks on one folder conflict
/// in one process too. The descriptor is close-on-exec, so child processes do not inherit the lock.
public final class FolderLock: @unchecked Sendable {
    /// The lock file's name inside the folder.
    public static let fileName = ".scalpel.lock"

    public let folder: URL
    private let path: String
    private var descriptor: Int32

    /// Creates `folder` (and its parents) when missing and locks it.
    ///
    /// - Parameter purpose: what the folder is, for messages (e.g. "the run folder").
    /// - Throws: ``TrainingError/runFolder(_:)`` when another process holds the folder (naming its pid),
    ///   or the folder or lock file cannot be created.
    public init(_ folder: URL, purpose: String = "the output folder") throws {
        let folder = folder.standardizedFileURL
        self.folder = folder
        try RunFolder.createFolder(folder, purpose: "\(purpose) \(folder.path)")
        path = folder.appendingPathComponent(Self.fileName).path
        descriptor = try Self.acquire(path, folder: folder)
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// Opens and locks the file at `path`; retries when the holder removed the file between our open
    /// and our lock (then we would hold a lock on a file no one else sees).
    private static func acquire(_ path: String, folder: URL) throws -> Int32 {
        for _ in 0..<16 {
            let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard opened >= 0 else {
                throw TrainingError.runFolder("cannot create the lock file \(path): \(String(cString: strerror(errno))); check the folder's permissions and the free disk space")
            }
            guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
                let reason = errno
                let holder = Self.holder(of: opened)
                close(opened)
                guard reason == EWOULDBLOCK else {
                    throw TrainingError.runFolder("cannot lock \(path): \(String(cString: strerror(reason)))")
                }
                throw TrainingError.runFolder("\(folder.path) is being written by another Scalpel process (\(holder.map { "pid \($0)" } ?? "pid unknown")); wait for it to end or stop it, or choose another output folder")
            }
            var locked = stat(), current = stat()
            if fstat(opened, &locked) == 0, stat(path, &current) == 0, locked.st_dev == current.st_dev, locked.st_ino == current.st_ino {
                return opened
            }
            close(opened)
        }
        throw TrainingError.runFolder("cannot lock \(path): other processes keep replacing it")
    }

    /// The pid written in the lock file by its holder, if readable.
    private static func holder(of descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock and removes the lock file (while still holding it, so no other process can be
    /// waiting on a file about to vanish). Safe to call twice.
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
