// Scalpel — ScalpelDownload
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A download that failed. The message names the file, its URL and the folder to put it in by hand.
public struct DownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached or the connection broke (offline, refused, DNS, timeout);
        /// the `.partial` file is kept for a resume.
        case unreachable
        /// The server answered with this HTTP status instead of the file.
        case httpStatus(Int)
        /// The downloaded file's digest is not the expected one; the file was deleted.
        case checksumMismatch
        /// Creating, writing or renaming a file failed.
        case fileSystem
    }

    public var kind: Kind
    /// The URL asked for.
    public var url: URL
    /// Where the file was to go.
    public var destination: URL
    /// `.unreachable`: why (`connection refused`, `timed out`, …); `.checksumMismatch`: the digest found.
    public var detail: String?
    public var description: String

    public init(_ kind: Kind, url: URL, destination: URL, detail: String? = nil, _ description: String) {
        self.kind = kind
        self.url = url
        self.destination = destination
        self.detail = detail
        self.description = description
    }

    /// The folder the file belongs in.
    public var folder: URL { destination.deletingLastPathComponent() }
}
