// Scalpel — benchmark: linear-probe epochs with and without frozen-prefix caching
// (`probe-ARCH-SIZE-bBATCH` caches, `recompute-ARCH-SIZE-bBATCH` recomputes the frozen backbone).
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import ScalpelTraining
import Torch

/// Training images per second of a steady-state linear-probe epoch, through the real trainer: a
/// frozen backbone (random weights: timing does not depend on them) and a new linear head on
/// `steps × batch` synthetic grey images at `size`. With `cached`, the trainer computes the frozen
/// backbone once per image before the first epoch and the second epoch only runs the head; without,
/// every step runs the backbone too (and the loader, which synthesises and normalises the images).
func probeImagesPerSecond(_ options: Options, cached: Bool) throws -> Double {
    let c = options.benchCase
    let count = c.batch * options.steps
    let data = try SyntheticRadiographs(count: count + 2 * c.batch, size: c.size, seed: 0)
    let splits = DatasetSplits(train: data.subset(Array(0..<count)), validation: data.subset(Array(count..<count + c.batch)),
                               test: data.subset(Array(count + c.batch..<count + 2 * c.batch)))
    let backbone = try c.architecture().makeModel(classCount: 2, generator: try Generator(seed: 0))
    try backbone.adaptInputChannels(1)
    let strategy = try TransferStrategy(name: "linear-probe")
    let model = try strategy.makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 1))
    let phases = try strategy.phases(model: model, backbone: backbone, base: TrainingPhase(epochs: 2, learningRate: 1e-3))
    let configuration = TrainingConfiguration(phases: phases, seed: 0, batchSize: c.batch, loaderWorkers: 2,
                                              bootstrapResamples: 0, channelsLast: options.channelsLast,
                                              cacheFrozenPrefix: cached)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-bench-probe-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let normalize = Normalize(mean: [0.5], std: [0.5])
    let trainer = try Trainer(model: model, splits: splits, trainTransform: normalize, evaluationTransform: normalize,
                              configuration: configuration, folder: try RunFolder.prepare(folder, resume: false, force: false))
    let result = try trainer.run(resume: false)
    guard let last = result.history.last else { throw BenchError("the probe run recorded no epoch") }
    return last.imagesPerSecond
}
