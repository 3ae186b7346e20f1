// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// Loads the PyTorch-generated fixtures a test target ships in its `Fixtures/` resource folder.
/// They are made by `scripts/fixtures/make_fixtures.py`; see `scripts/fixtures/README.md`.
public struct Fixtures: Sendable {
    public let directory: URL

    /// - Parameter bundle: the test target's `Bundle.module`.
    public init(bundle: Bundle) {
        directory = bundle.resourceURL!.appendingPathComponent("Fixtures")
    }

    public func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The tensors of `name.safetensors`.
    public func tensors(_ name: String) throws -> StateDict {
        try SafeTensors.read(contentsOf: url(name + ".safetensors")).tensors
    }

    /// A tensor that must be in the fixture; throws with the file and key otherwise.
    public func tensor(_ name: String, _ key: String) throws -> Tensor {
        guard let tensor = try tensors(name)[key] else {
            throw SerializationError(source: name + ".safetensors", reason: "fixture has no tensor '\(key)'")
        }
        return tensor
    }
}

extension StateDict {
    /// The tensor at `key`, or a thrown error naming the key (for fixtures).
    public func required(_ key: String) throws -> Tensor {
        guard let tensor = self[key] else {
            throw SerializationError(source: "fixture", reason: "missing tensor '\(key)'; present: \(keys.prefix(20))")
        }
        return tensor
    }
}

/// Where `../shared` is for tests that read real data; nil (with the caller printing a notice) when absent.
public func sharedDirectory(filePath: String = #filePath) -> URL? {
    var url = URL(fileURLWithPath: filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            let shared = url.deletingLastPathComponent().appendingPathComponent("shared")
            return FileManager.default.fileExists(atPath: shared.path) ? shared : nil
        }
    }
    return nil
}
