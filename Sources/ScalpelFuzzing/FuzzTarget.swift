// Scalpel — ScalpelFuzzing
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch
import Yams

/// One parser of untrusted input, run on arbitrary bytes. A thrown error is the expected answer to bad
/// input; a crash, a trap or a hang is a bug.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case npy, npz, zip, pth, safetensors, csv, yaml, images, dicom

    /// Feeds `bytes` to the parser; true when it accepted them, false when it refused them with an error.
    @discardableResult
    public func run(_ bytes: [UInt8]) -> Bool {
        do {
            try parse(bytes)
            return true
        } catch {
            return false
        }
    }

    private func parse(_ bytes: [UInt8]) throws {
        let data = Data(bytes)
        switch self {
        case .npy:
            _ = try NpyArray(bytes, source: "fuzz.npy").integers().count
        case .npz:
            let file = try NpzFile(data: data, path: "fuzz.npz")
            for key in file.keys { _ = try? file.array(key) }
        case .zip:
            try bytes.withUnsafeBytes { raw in
                let archive = try ZipArchive(raw, source: "fuzz.zip")
                for entry in archive.entries { _ = try? archive.rawRange(of: entry) }
            }
        case .pth:
            _ = try PyTorchCheckpoint.read(data, source: "fuzz.pth")
        case .safetensors:
            _ = try SafeTensors.read(data, source: "fuzz.safetensors")
        case .csv:
            _ = try CSVTable(data: data, source: "fuzz.csv")
        case .yaml:
            guard bytes.count <= ConfigLimits.maximumBytes else { return }
            try ConfigLimits.checkNesting(bytes, source: "fuzz.yaml")
            _ = try Yams.compose(yaml: String(decoding: bytes, as: UTF8.self))
        case .images:
            _ = try ImageDecoder.decode(data, source: "fuzz.img")
        case .dicom:
            _ = try DicomDecoder.header(data, source: "fuzz.dcm")
            _ = try DicomDecoder.decode(data, source: "fuzz.dcm", window: .minMax)
        }
    }
}
