// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import ScalpelDownload

/// Finds MedMNIST `.npz` files on disk, checked against their published MD5, and downloads missing
/// ones from the official Zenodo records.
///
/// A dataset at 28 pixels is `NAME.npz`; at 64, 128 or 224 it is `NAME_SIZE.npz` (MedMNIST+). Files
/// are looked for, in order, in ``folder``, `$SCALPEL_MEDMNIST_DIR`, `~/.medmnist` (the `medmnist`
/// Python package's default root) and `$XDG_CACHE_HOME/scalpel/medmnist` (else
/// `~/.cache/scalpel/medmnist`). Downloads go to ``folder``: the one given, else
/// `$SCALPEL_MEDMNIST_DIR`, else the XDG cache folder.
///
/// ```swift
/// let store = MedMNISTStore()
/// let file = try store.resolve("pneumoniamnist", size: 64, progress: DownloadProgress.printToStandardError)
/// let train = try MedMNISTDataset(contentsOf: file, split: .train)
/// ```
///
/// Only ``download(_:progress:)`` and ``resolve(_:size:allowDownload:progress:)`` touch the network.
public struct MedMNISTStore: Sendable {
    /// The environment variable naming a folder of MedMNIST files (searched, and where downloads go).
    public static let environmentVariable = "SCALPEL_MEDMNIST_DIR"

    /// Where downloads go (searched first).
    public var folder: URL
    /// Further folders searched, in order, after ``folder``.
    public var searchFolders: [URL]
    /// Seconds without data before a download is abandoned.
    public var timeout: TimeInterval = 60
    /// Whether files found on disk are checked against their MD5 (reading the whole file each time).
    public var checksLocalFiles = true
    /// Receives warnings (a file accepted without a known MD5); standard error by default.
    public var warn: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) }

    /// - Parameters:
    ///   - folder: where downloads go; nil: `$SCALPEL_MEDMNIST_DIR`, else the XDG cache folder.
    ///   - searchFolders: nil: `$SCALPEL_MEDMNIST_DIR`, `~/.medmnist`, the XDG cache folder.
    public init(folder: URL? = nil, searchFolders: [URL]? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.folder = folder ?? Self.defaultFolder(environment: environment)
        let others = searchFolders ?? Self.defaultSearchFolders(environment: environment)
        var seen: Set<String> = [self.folder.standardizedFileURL.path]
        self.searchFolders = others.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// `$SCALPEL_MEDMNIST_DIR`, else `$XDG_CACHE_HOME/scalpel/medmnist`, else `~/.cache/scalpel/medmnist`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment[environmentVariable], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return cacheFolder(environment: environment)
    }

    /// `$SCALPEL_MEDMNIST_DIR` (when set), `~/.medmnist`, and the XDG cache folder.
    public static func defaultSearchFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        let variable = environment[environmentVariable].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        return (variable.map { [$0] } ?? []) + [home(environment).appendingPathComponent(".medmnist"),
                                                cacheFolder(environment: environment)]
    }

    /// `$XDG_CACHE_HOME/scalpel/medmnist`, else `~/.cache/scalpel/medmnist`.
    static func cacheFolder(environment: [String: String]) -> URL {
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return URL(fileURLWithPath: cache).appendingPathComponent("scalpel/medmnist")
        }
        return home(environment).appendingPathComponent(".cache/scalpel/medmnist")
    }

    private static func home(_ environment: [String: String]) -> URL {
        URL(fileURLWithPath: environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory())
    }

    /// Every folder searched, in order.
    public var folders: [URL] { [folder] + searchFolders }

    /// The published file of dataset `name` (`pneumoniamnist`) at `size` pixels.
    ///
    /// - Throws: ``MedMNISTStoreError`` for an unknown dataset or size, listing the valid ones.
    public static func file(_ name: String, size: Int) throws -> MedMNISTInfo.File {
        guard let info = MedMNISTInfo.all.first(where: { $0.name == name.lowercased() }) else {
            throw MedMNISTStoreError(
                .unknownDataset,
                "unknown MedMNIST dataset '\(name)'. Valid: \(MedMNISTInfo.all.map(\.name).joined(separator: ", ")).")
        }
        guard let file = info.file(size: size) else {
            throw MedMNISTStoreError(
                .unsupportedSize,
                "\(info.name) is published at sizes \(MedMNISTInfo.sizes.map(String.init).joined(separator: ", ")), not \(size).")
        }
        return file
    }

    /// A checked copy of dataset `name` at `size` pixels on disk, or nil when there is none.
    public func locate(_ name: String, size: Int = 28) throws -> URL? {
        try locate(Self.file(name, size: size))
    }

    /// A checked copy of `file` in ``folders``, or nil when there is none.
    ///
    /// - Throws: ``MedMNISTStoreError/Kind/checksumMismatch`` for a file of that name whose MD5 is not
    ///   the published one (it is left in place; the message says what to do).
    public func locate(_ file: MedMNISTInfo.File) throws -> URL? {
        for candidate in folders.map({ $0.appendingPathComponent(file.fileName) })
        where FileManager.default.fileExists(atPath: candidate.path) {
            try check(candidate, file)
            return candidate
        }
        return nil
    }

    /// A checked copy of dataset `name` at `size` pixels, downloaded when it is not on disk and
    /// `allowDownload`.
    ///
    /// - Throws: ``MedMNISTStoreError`` naming the file, its URL and the folder to put it in.
    public func resolve(_ name: String, size: Int = 28, allowDownload: Bool = true,
                        progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        let file = try Self.file(name, size: size)
        if let url = try locate(file) { return url }
        guard allowDownload else {
            throw MedMNISTStoreError(
                .notFound, "\(file.fileName) is not in \(folders.map { $0.path + "/" }.joined(separator: ", ")). "
                    + "Download it from \(file.url) and put it in \(folder.path)/, or allow the download.")
        }
        return try download(file, progress: progress)
    }

    /// Downloads `file` into ``folder`` (resuming a `.partial` file) and returns it, MD5-checked.
    ///
    /// - Throws: ``MedMNISTStoreError``: `.unreachable` when offline (naming the URL, the file name and
    ///   the folder to put it in), `.httpStatus`, `.checksumMismatch` (the download is deleted), `.fileSystem`.
    @discardableResult
    public func download(_ file: MedMNISTInfo.File, progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        guard let url = URL(string: file.url) else {
            throw MedMNISTStoreError(.fileSystem, "\(file.fileName): '\(file.url)' is not a URL")
        }
        if file.md5 == nil { warn(unverified(file, url.absoluteString)) }
        do {
            return try Downloader(timeout: timeout).download(url, to: folder.appendingPathComponent(file.fileName),
                                                             checksum: file.md5.map { .md5($0) }, progress: progress)
        } catch let error as DownloadError {
            switch error.kind {
            case .unreachable:
                let elsewhere = searchFolders.map { $0.path + "/" }.joined(separator: ", ")
                throw MedMNISTStoreError(
                    .unreachable,
                    error.description + (elsewhere.isEmpty ? "" : " Scalpel also looks for \(file.fileName) in \(elsewhere).")
                        + " $\(Self.environmentVariable) names another folder to use.")
            case .httpStatus(let status): throw MedMNISTStoreError(.httpStatus(status), error.description)
            case .checksumMismatch: throw MedMNISTStoreError(.checksumMismatch, error.description)
            case .fileSystem: throw MedMNISTStoreError(.fileSystem, error.description)
            }
        }
    }

    private func check(_ candidate: URL, _ file: MedMNISTInfo.File) throws {
        guard checksLocalFiles else { return }
        guard !file.acceptedMD5s.isEmpty else {
            warn(unverified(file, candidate.path))
            return
        }
        let digest: String
        do {
            digest = try FileDigest.hex(ofFile: candidate, .md5)
        } catch {
            throw MedMNISTStoreError(.fileSystem, "\(candidate.path): cannot be read (\(error.localizedDescription))")
        }
        guard file.acceptedMD5s.contains(digest) else {
            throw MedMNISTStoreError(
                .checksumMismatch,
                "\(candidate.path): md5 is \(digest), expected \(file.acceptedMD5s.joined(separator: " or ")) for "
                    + "\(file.fileName); the file is corrupt, incomplete or not the published one. Delete it and run "
                    + "again to download it from \(file.url), or replace it.")
        }
    }

    private func unverified(_ file: MedMNISTInfo.File, _ place: String) -> String {
        "no published MD5 is known for \(file.fileName); \(place) is used unverified"
    }
}

/// A MedMNIST file that cannot be found, fetched or trusted; the message says what to do.
public struct MedMNISTStoreError: Error, UserFacingError, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not one of the twelve 2D datasets.
        case unknownDataset
        /// Not 28, 64, 128 or 224.
        case unsupportedSize
        /// Not on disk, and downloading was not allowed.
        case notFound
        /// The server could not be reached (offline, refused, DNS, timeout).
        case unreachable
        /// The server answered with this HTTP status instead of the file.
        case httpStatus(Int)
        /// The file's MD5 is not the published one.
        case checksumMismatch
        /// Reading or writing a file failed.
        case fileSystem
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
