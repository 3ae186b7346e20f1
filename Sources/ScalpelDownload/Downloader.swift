// Scalpel — ScalpelDownload
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Fetches one URL to one file: resumable, verified, renamed into place atomically.
///
/// ```swift
/// let file = try Downloader(timeout: 30).download(
///     URL(string: "https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1")!,
///     to: folder.appendingPathComponent("pneumoniamnist.npz"),
///     checksum: .md5("28209eda62fecd6e6a2d98b1501bb15f"),
///     progress: DownloadProgress.printToStandardError)
/// ```
public struct Downloader: Sendable {
    /// Seconds without data before a download is abandoned.
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 60) {
        self.timeout = timeout
    }

    /// The file bytes go to before they are verified: `<destination>.partial`.
    public static func partialURL(for destination: URL) -> URL {
        destination.deletingLastPathComponent().appendingPathComponent(destination.lastPathComponent + ".partial")
    }

    /// Downloads `url` to `destination` and returns it, verified.
    ///
    /// Bytes go to `<destination>.partial`; an existing partial file is resumed with an HTTP `Range`
    /// request (a server that ignores it sends the whole file, which then replaces it). The finished
    /// file is checked against `checksum` (nil: not checked) and renamed into place atomically, so the
    /// destination never holds a partial or unverified file.
    ///
    /// - Parameter progress: called as bytes arrive (at most every 0.1 % or 1 MB) and once at the end.
    /// - Throws: ``DownloadError``: `.unreachable` when offline or cut off (naming the file, the URL and
    ///   the folder to put it in; the partial file is kept for a later resume), `.httpStatus` for an
    ///   answer other than the file, `.checksumMismatch` with the expected and found digests (the file
    ///   is deleted), `.fileSystem` when the folder cannot be written.
    @discardableResult
    public func download(_ url: URL, to destination: URL, checksum: Checksum?,
                         progress: (@Sendable (DownloadProgress) -> Void)? = nil) throws -> URL {
        let folder = destination.deletingLastPathComponent()
        let fileName = destination.lastPathComponent
        let partial = Self.partialURL(for: destination)
        func error(_ kind: DownloadError.Kind, detail: String? = nil, _ message: String) -> DownloadError {
            DownloadError(kind, url: url, destination: destination, detail: detail, message)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch let failure {
            throw error(.fileSystem, "cannot create the folder \(folder.path) for \(fileName): \(failure.localizedDescription)")
        }
        let existing = ((try? FileManager.default.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.int64Value ?? 0
        let fetch = RangeFetch(partial: partial, resumeFrom: existing, fileName: fileName, progress: progress)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: fetch, delegateQueue: nil)
        session.dataTask(with: request).resume()
        fetch.finished.wait()
        session.finishTasksAndInvalidate()

        let outcome = fetch.outcome()
        switch outcome.status {
        case 200, 206:
            if let failure = outcome.error { throw unreachable(url, destination, failure) }
        case 416 where existing > 0:
            break  // the partial file is already whole: verify it
        case 0:
            throw unreachable(url, destination, outcome.error)
        default:
            try? FileManager.default.removeItem(at: partial)
            throw error(.httpStatus(outcome.status),
                        "\(fileName): \(url.absoluteString) answered HTTP \(outcome.status) instead of the file. "
                            + "Download it by hand and put it in \(folder.path)/.")
        }
        if let checksum {
            let digest: String
            do {
                digest = try FileDigest.hex(ofFile: partial, checksum.algorithm)
            } catch let failure {
                throw error(.fileSystem, "\(partial.path): cannot be read (\(failure.localizedDescription))")
            }
            guard checksum.accepts(digest) else {
                try? FileManager.default.removeItem(at: partial)
                throw error(.checksumMismatch, detail: digest,
                            "\(partial.path): \(checksum.algorithm.rawValue) is \(digest), expected \(checksum.expected)"
                                + "\(checksum.expected.count < 64 && checksum.algorithm == .sha256 ? "…" : "") for "
                                + "\(fileName) from \(url.absoluteString); the file is corrupt or not the published one. "
                                + "It was deleted; download it again.")
            }
        }
        guard rename(partial.path, destination.path) == 0 else {
            throw error(.fileSystem, "cannot move \(partial.path) to \(destination.path): \(String(cString: strerror(errno)))")
        }
        return destination
    }

    /// The error for a server that cannot be reached or a transfer that broke off.
    private func unreachable(_ url: URL, _ destination: URL, _ failure: Error?) -> DownloadError {
        if let failure = failure as? DownloadError { return failure }
        let reason = (failure as? URLError).map { failure -> String in
            switch failure.code {
            case .cannotConnectToHost: "connection refused"
            case .notConnectedToInternet: "not connected to the internet"
            case .cannotFindHost, .dnsLookupFailed: "host not found"
            case .timedOut: "timed out"
            case .networkConnectionLost: "connection lost; run again to resume"
            default: failure.localizedDescription
            }
        } ?? failure?.localizedDescription ?? "no answer"
        let partial = Self.partialURL(for: destination)
        let kept = ((try? FileManager.default.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.int64Value ?? 0
        return DownloadError(
            .unreachable, url: url, destination: destination, detail: reason,
            "\(destination.lastPathComponent) could not be downloaded from \(url.absoluteString) (offline or unreachable: "
                + "\(reason))." + (kept > 0 ? " The \(kept) bytes received are kept in \(partial.path) for a resume." : "")
                + " Download it on a machine with network access and put it in \(destination.deletingLastPathComponent().path)/.")
    }
}
