// Scalpel — ScalpelDownload
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// How far a download has come; ``bar(width:)`` draws it.
public struct DownloadProgress: Sendable, Equatable {
    public var fileName: String
    /// Bytes on disk so far, including a resumed `.partial` file.
    public var receivedBytes: Int64
    /// The file's size, when the server said.
    public var totalBytes: Int64?

    public init(fileName: String, receivedBytes: Int64, totalBytes: Int64?) {
        self.fileName = fileName
        self.receivedBytes = receivedBytes
        self.totalBytes = totalBytes
    }

    public var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(receivedBytes) / Double(totalBytes))
    }

    /// `resnet18-f37072fd.pth [#########...........]  45%  20.1/44.7 MB`.
    public func bar(width: Int = 30) -> String {
        let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        guard let fraction, let totalBytes else { return "\(fileName) \(megabytes(receivedBytes)) MB" }
        let filled = Int(fraction * Double(width))
        return "\(fileName) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] " + String(format: "%3d%%", Int(fraction * 100)) + "  \(megabytes(receivedBytes))/\(megabytes(totalBytes)) MB"
    }

    /// Prints ``bar(width:)`` to standard error, on one line redrawn in place.
    public static let printToStandardError: @Sendable (DownloadProgress) -> Void = { progress in
        let done = progress.totalBytes.map { progress.receivedBytes >= $0 } ?? false
        FileHandle.standardError.write(Data(("\r" + progress.bar() + (done ? "\n" : "")).utf8))
    }
}
