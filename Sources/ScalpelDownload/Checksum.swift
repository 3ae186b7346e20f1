// Scalpel — ScalpelDownload
// SPDX-License-Identifier: Apache-2.0
// Downloads with resume and checksum checks, shared by the weights cache and the dataset fetchers.
import Crypto
import Foundation

/// The digest a file must have: a published SHA-256 (whole, or its leading hex digits as in
/// torchvision's `NAME-HASH8.pth` names) or a published MD5 (MedMNIST's `info.py`).
public enum Checksum: Sendable, Hashable, CustomStringConvertible {
    /// 64 hex digits, or a prefix of them (then any digest starting with it is accepted).
    case sha256(String)
    /// 32 hex digits.
    case md5(String)

    public var algorithm: DigestAlgorithm {
        switch self {
        case .sha256: .sha256
        case .md5: .md5
        }
    }

    /// The expected hex digits, lower case.
    public var expected: String {
        switch self {
        case .sha256(let hex), .md5(let hex): hex.lowercased()
        }
    }

    /// Whether a file whose digest (hex, either case) is `digest` passes: equal to the expected
    /// digest, or starting with it when only a SHA-256 prefix is known.
    public func accepts(_ digest: String) -> Bool {
        let digest = digest.lowercased()
        switch self {
        case .sha256: return !expected.isEmpty && digest.hasPrefix(expected)
        case .md5: return digest == expected
        }
    }

    /// `sha256 f37072fd…` or `md5 28209eda62fecd6e6a2d98b1501bb15f`.
    public var description: String {
        switch self {
        case .sha256(let hex) where hex.count < 64: "sha256 \(expected)…"
        case .sha256: "sha256 \(expected)"
        case .md5: "md5 \(expected)"
        }
    }
}

/// A hash function a ``Checksum`` uses.
public enum DigestAlgorithm: String, Sendable, Hashable {
    case sha256, md5
}

/// Hex digests of data and of files, the files read in chunks (a 224×224 MedMNIST+ file is several GB).
public enum FileDigest {
    /// Bytes read at a time.
    public static let chunkSize = 4 << 20

    /// The lower-case hex digest of `data`.
    public static func hex(of data: Data, _ algorithm: DigestAlgorithm) -> String {
        var hasher = Hasher(algorithm)
        hasher.update(data)
        return hasher.finalize()
    }

    /// The lower-case hex digest of the file at `url`, read `chunkSize` bytes at a time.
    ///
    /// - Throws: the file system's error when it cannot be opened or read.
    public static func hex(ofFile url: URL, _ algorithm: DigestAlgorithm) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = Hasher(algorithm)
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            hasher.update(chunk)
        }
        return hasher.finalize()
    }

    /// An incremental digest: feed it pieces with ``update(_:)``, read the hex digest with ``finalize()``.
    public struct Hasher {
        private var sha256: SHA256?
        private var md5: Insecure.MD5?

        public init(_ algorithm: DigestAlgorithm) {
            switch algorithm {
            case .sha256: sha256 = SHA256()
            case .md5: md5 = Insecure.MD5()
            }
        }

        public mutating func update(_ data: Data) {
            sha256?.update(data: data)
            md5?.update(data: data)
        }

        /// The digest as lower-case hex. Finishes a copy, so more data can follow.
        public func finalize() -> String {
            let bytes: [UInt8] = if let sha256 { Array(sha256.finalize()) } else if let md5 { Array(md5.finalize()) } else { [] }
            return bytes.map { String(format: "%02x", $0) }.joined()
        }
    }
}
