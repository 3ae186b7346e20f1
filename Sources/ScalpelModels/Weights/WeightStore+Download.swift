// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import ScalpelDownload
import Foundation

extension WeightStore {
    /// Prints ``DownloadProgress/bar(width:)`` to standard error, on one line redrawn in place.
    public static let printProgress: @Sendable (DownloadProgress) -> Void = DownloadProgress.printToStandardError

    /// The checksum a file of `entry` must pass: its whole sha256 when known, else the name's prefix.
    static func checksum(_ entry: WeightsEntry) -> Checksum { .sha256(entry.sha256 ?? entry.sha256Prefix) }

    /// Downloads `entry` into the cache folder and returns the verified file.
    ///
    /// Bytes go to `<file>.partial`; an existing partial file is resumed with an HTTP `Range` request
    /// (a server that ignores it sends the whole file, which then replaces it). The finished file is
    /// checked against the registry's sha256 and renamed into place atomically, so the cache never
    /// holds a partial or unverified file under the real name (``Downloader`` does the work).
    ///
    /// - Parameter progress: called as bytes arrive (at most every 0.1 % or 1 MB) and once at the end.
    /// - Throws: ``WeightStoreError``: `.unreachable` when offline (naming the file, its URL and the
    ///   folder to put it in; the partial file is kept for a later resume), `.httpStatus` for an
    ///   answer other than the file, `.checksumMismatch` (the file is deleted), `.notInstalled` for a
    ///   PyPI-packaged file (with the `pip install` command).
    @discardableResult
    public func download(_ entry: WeightsEntry, progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        guard let url = entry.downloadURL else { throw missing(entry, reason: nil) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WeightStoreError(.fileSystem, "cannot create the weight folder \(folder.path): \(error.localizedDescription)")
        }
        do {
            return try Downloader(timeout: timeout).download(url, to: cachedURL(entry), checksum: Self.checksum(entry),
                                                             progress: progress)
        } catch let error as DownloadError {
            switch error.kind {
            case .unreachable:
                throw missing(entry, reason: "offline or unreachable: \(error.detail ?? "no answer")")
            case .httpStatus(let status):
                throw WeightStoreError(.httpStatus(status), error.description)
            case .checksumMismatch:
                throw mismatch(Downloader.partialURL(for: cachedURL(entry)), entry, digest: error.detail ?? "?",
                               deleted: true)
            case .fileSystem:
                throw WeightStoreError(.fileSystem, error.description)
            }
        }
    }
}
