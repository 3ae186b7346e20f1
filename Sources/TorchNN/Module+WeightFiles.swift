// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

// Weight files on disk: safetensors or PyTorch `.pth` in, safetensors out.
extension Module {
    /// Loads a weight file (safetensors, or a PyTorch `torch.save` file in zip or legacy format; the
    /// format is recognised from the bytes) with ``load(_:policy:)``'s key and shape checks.
    ///
    /// - Throws: `SerializationError` naming the file when it is missing or unreadable; ``StateDictError``
    ///   listing the first mismatched keys when it was saved from another architecture (the model is
    ///   unchanged then).
    @discardableResult
    public func loadWeights(from url: URL, policy: LoadPolicy = .strict) throws -> LoadReport {
        let tensors = try WeightFile.read(contentsOf: url)
        do {
            return try load(tensors, policy: policy)
        } catch var error as StateDictError {
            error.source = url.path
            throw error
        }
    }

    /// Writes the model's state dict as a safetensors file, atomically.
    public func saveWeights(to url: URL, metadata: [String: String] = [:]) throws {
        try WeightFile.write(stateDict(), metadata: metadata, to: url)
    }
}
