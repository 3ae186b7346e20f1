// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recursive folder listing that follows symbolic links but visits every folder and every file (by
/// device and inode) at most once: a symlink loop (a link to `.` or to a parent) ends instead of
/// recursing forever, and a file reachable by two paths is listed once, so it can never land in two
/// splits. Hidden entries (names starting with ".") are skipped.
struct FolderWalk {
    private struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private var folders: Set<Identity> = []
    private var files: Set<Identity> = []

    /// Files and folders skipped because they were already listed under another path (relative to the
    /// folder given to ``files(under:)``), for the caller to report.
    private(set) var repeated: [String] = []

    /// The file's identity and whether it is a folder, following links; nil when it cannot be examined.
    private static func identity(of path: String) -> (Identity, isFolder: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)), (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Marks `path` as visited; false when it is not a folder or was visited before.
    mutating func enter(folder path: String) -> Bool {
        guard let (identity, isFolder) = Self.identity(of: path), isFolder else { return false }
        return folders.insert(identity).inserted
    }

    /// The files under `root` (recursively, in sorted order), as paths relative to `root`; folders and
    /// files already visited (by this walk) are skipped and recorded in ``repeated``.
    ///
    /// - Throws: ``DataSourceError`` when a folder cannot be listed.
    mutating func files(under root: String) throws -> [String] {
        var result: [String] = []
        guard enter(folder: root) else {
            repeated.append(root)
            return result
        }
        // Depth-first with an explicit stack, in sorted order.
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : root + "/" + relative
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
            } catch {
                throw DataSourceError(file: folder, problem: "cannot be listed (\(error.localizedDescription))",
                                      fix: "check the folder's permissions")
            }
            var subfolders: [String] = []
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                guard let (identity, isFolder) = Self.identity(of: root + "/" + path) else {
                    result.append(path)  // a broken link: listed, so the caller reports it
                    continue
                }
                if isFolder {
                    if folders.insert(identity).inserted { subfolders.append(path) } else { repeated.append(path) }
                } else if files.insert(identity).inserted {
                    result.append(path)
                } else {
                    repeated.append(path)
                }
            }
            pending += subfolders.reversed()
        }
        return result
    }
}
