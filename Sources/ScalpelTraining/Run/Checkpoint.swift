// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import TorchNN
import TorchOptim

/// The last checkpoint: everything a killed run needs to continue exactly where its last complete
/// epoch ended — model tensors (parameters and BatchNorm statistics), optimizer state, libtorch's
/// default generator and the ``TrainerState`` — in one safetensors file written atomically.
enum Checkpoint {
    static let stateKey = "scalpel.trainer"
    static let modelPrefix = "model/"
    static let optimizerPrefix = "optimizer/"
    static let generatorKey = "rng/default"

    static func save(to url: URL, model: any Module, optimizer: (any Optimizer)?, state: TrainerState) throws {
        var entries: [(String, Tensor)] = try model.stateDict().entries.map { (modelPrefix + $0.key, try $0.tensor.to(device: .cpu)) }
        var metadata = [stateKey: String(decoding: try JSONEncoder().encode(state), as: UTF8.self)]
        if let optimizer {
            let optimizerState = try optimizer.stateDict()
            entries += try optimizerState.tensors.entries.map { (optimizerPrefix + $0.key, try $0.tensor.to(device: .cpu)) }
            metadata[OptimizerState.metadataKey] = String(decoding: try optimizerState.configuration.json(), as: UTF8.self)
        }
        entries.append((generatorKey, try TorchRuntime.defaultGeneratorState()))
        let data = try SafeTensors.encode(StateDict(entries), metadata: metadata)
        try RunFolder.writeAtomically(data, to: url)
    }

    /// Reads a last checkpoint: the trainer state, the model's tensors and, when present, the optimizer's.
    static func load(from url: URL) throws -> (state: TrainerState, model: StateDict, optimizer: OptimizerState?, generator: Tensor?) {
        let file: (tensors: StateDict, metadata: [String: String])
        do {
            file = try SafeTensors.read(contentsOf: url)
        } catch {
            throw TrainingError.checkpoint("cannot read the checkpoint \(url.path): \(error); start over with --force")
        }
        guard let json = file.metadata[stateKey], let state = try? JSONDecoder().decode(TrainerState.self, from: Data(json.utf8)) else {
            throw TrainingError.checkpoint("\(url.path) is not a Scalpel training checkpoint (no \(stateKey) metadata); start over with --force")
        }
        var model: [(String, Tensor)] = []
        var optimizerTensors: [(String, Tensor)] = []
        for (key, tensor) in file.tensors.entries {
            if key.hasPrefix(modelPrefix) { model.append((String(key.dropFirst(modelPrefix.count)), tensor)) }
            if key.hasPrefix(optimizerPrefix) { optimizerTensors.append((String(key.dropFirst(optimizerPrefix.count)), tensor)) }
        }
        var optimizer: OptimizerState?
        if let configuration = file.metadata[OptimizerState.metadataKey] {
            optimizer = OptimizerState(configuration: try OptimizerConfiguration(json: Data(configuration.utf8)),
                                       tensors: try StateDict(optimizerTensors))
        }
        return (state, try StateDict(model), optimizer, file.tensors[generatorKey])
    }

    /// Saves the model's weights alone (the best checkpoint), with the epoch and metric as metadata.
    static func saveWeights(of model: any Module, to url: URL, best: BestEpoch) throws {
        let entries = try model.stateDict().entries.map { ($0.key, try $0.tensor.to(device: .cpu)) }
        let metadata = ["epoch": String(best.epoch), "phase": best.phase, "metric": best.metric.rawValue,
                        "value": String(best.value)]
        try RunFolder.writeAtomically(try SafeTensors.encode(StateDict(entries), metadata: metadata), to: url)
    }
}

extension RunFolder {
    /// Which weights of a run to use.
    public enum Weights: String, Sendable, CaseIterable {
        /// The best validation epoch's (`checkpoints/best.safetensors`).
        case best
        /// The last complete epoch's (`checkpoints/last.safetensors`).
        case last
    }

    /// The model tensors of the run's best or last checkpoint.
    public func modelWeights(_ which: Weights) throws -> StateDict {
        switch which {
        case .best:
            guard FileManager.default.fileExists(atPath: bestCheckpointURL.path) else {
                throw TrainingError.checkpoint("\(bestCheckpointURL.path) does not exist: the run has no best epoch yet; use the last checkpoint")
            }
            return try SafeTensors.read(contentsOf: bestCheckpointURL).tensors
        case .last:
            guard FileManager.default.fileExists(atPath: lastCheckpointURL.path) else {
                throw TrainingError.checkpoint("\(lastCheckpointURL.path) does not exist: the run has not completed an epoch")
            }
            return try Checkpoint.load(from: lastCheckpointURL).model
        }
    }
}
