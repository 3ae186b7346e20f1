// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Weight files of any format Scalpel reads: safetensors, and PyTorch's `torch.save` files
/// (`.pth`/`.pt`, zip or legacy format). Nothing in a file is ever executed.
public enum WeightFile {
    /// Reads the state dict in `url`, choosing the format by the file's first bytes (the extension
    /// is only a hint).
    ///
    /// - Throws: ``SerializationError`` naming the file when it is missing, unreadable, of an unknown
    ///   format, or corrupt.
    public static func read(contentsOf url: URL) throws -> StateDict {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SerializationError(source: url.path, reason: "no such file")
        }
        let prefix: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            prefix = try handle.read(upToCount: 16) ?? Data()
        } catch {
            throw SerializationError(source: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        switch Format(prefix: prefix) {
        case .safeTensors: return try SafeTensors.read(contentsOf: url).tensors
        case .pyTorchZip, .pyTorchLegacy: return try PyTorchCheckpoint.read(contentsOf: url)
        case nil:
            throw SerializationError(
                source: url.path,
                reason: "is neither a safetensors file nor a PyTorch torch.save file (first bytes \(prefix.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")))")
        }
    }

    /// Writes `tensors` as safetensors, atomically.
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to url: URL) throws {
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    enum Format {
        case safeTensors, pyTorchZip, pyTorchLegacy

        init?(prefix: Data) {
            let bytes = [UInt8](prefix)
            if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                self = .pyTorchZip
            } else if bytes.first == 0x80 {
                self = .pyTorchLegacy
            } else if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") {
                self = .safeTensors
            } else {
                return nil
            }
        }
    }
}
