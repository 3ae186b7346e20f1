// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelData
import ScalpelModels
import ScalpelTraining
import Torch
import TorchNN

/// A finished (or at least checkpointed) training run, opened again for `evaluate` and `predict`:
/// its options (config.yaml), its model description (model.json) and its weights.
struct TrainedRun {
    let folder: RunFolder
    let options: TrainCommand
    let card: ModelCard

    init(_ path: String) throws {
        folder = RunFolder(URL(fileURLWithPath: path))
        guard FileManager.default.fileExists(atPath: folder.configURL.path) else {
            throw CommandError("\(path): no config.yaml; give the folder of a `scalpel train` run (for several seeds: RUN/seed-N)")
        }
        do {
            options = try TrainCommand.parse(try ConfigFile.merge(["--config", folder.configURL.path]))
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(folder.configURL.path): \(TrainCommand.message(for: error))")
        }
        card = try ModelCard.read(from: folder.url)
    }

    /// The network (after the run's strategy surgery) with the run's best (or last) weights, in
    /// evaluation mode, on `device`.
    func model(weights: RunFolder.Weights, device: Device) throws -> any SplitNetwork {
        let backbone = try options.model.randomBackbone(classCount: card.classNames.count, inputChannels: card.inputChannels)
        let network = try options.training.transferStrategy().makeModel(from: backbone, classCount: card.classNames.count,
                                                                        generator: try Generator(seed: 0))
        do {
            try network.load(try folder.modelWeights(weights))
        } catch let error as TrainingError {
            throw CommandError(error.description)
        } catch {
            throw CommandError("\(folder.url.path): the \(weights.rawValue) checkpoint does not fit \(card.architecture): \(error)")
        }
        try network.move(to: device)
        network.setMode(.evaluation)
        return network
    }

    var evaluationTransform: any Transform {
        get throws { try options.model.evaluationTransform(size: card.imageSize, channels: card.inputChannels) }
    }
}
