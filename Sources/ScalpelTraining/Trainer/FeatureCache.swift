// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import Torch
import TorchNN

/// A model seen as a chain of feature links followed by the rest (pooling, classifier): what frozen-
/// prefix caching needs to run the bottom once and the top every step.
struct ModelChain {
    let links: [FeatureLink]
    /// From the chain's output to the logits.
    let head: (Tensor) throws -> Tensor

    init?(_ model: any Layer) {
        guard let model = model as? any SplitNetwork else { return nil }
        links = model.featureLinks
        head = { try model.forwardHead($0) }
    }

    /// The model from link `start` on: the remaining links, then the head.
    func top(from start: Int) -> (Tensor) throws -> Tensor {
        let rest = Array(links.dropFirst(start))
        let head = self.head
        return { input in try head(forwardFusing(rest.map(\.layer), input)) }
    }
}

/// The frozen bottom of a model during a phase: the leading feature links none of whose parameters
/// train and whose every mode-dependent module (BatchNorm, dropout, stochastic depth) computes in
/// evaluation mode. Their output does not change during the phase, so with a deterministic input
/// pipeline it can be computed once per image (`ARCHITECTURE.md` §5).
struct FrozenPrefix {
    let links: [FeatureLink]
    let top: (Tensor) throws -> Tensor

    /// The phase's frozen prefix of `model` (after ``PhaseSetup/setTrainingMode(_:)``), or nil when
    /// nothing at the bottom is frozen or the model is not a chain.
    static func of(_ model: any Layer) -> FrozenPrefix? {
        guard let chain = ModelChain(model) else { return nil }
        var count = 0
        for link in chain.links {
            let frozen = link.layer.parameters().allSatisfy { !$0.tensor.requiresGradient }
            let inference = link.layer.namedModules().allSatisfy { ($0.module as? any ModeDependent)?.mode != .training }
            guard frozen, inference else { break }
            count += 1
        }
        guard count > 0 else { return nil }
        return FrozenPrefix(links: Array(chain.links.prefix(count)), top: chain.top(from: count))
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try forwardFusing(links.map(\.layer), input) }
}

/// The frozen prefix's output for every readable image of a dataset, on the training device, with the
/// targets, labels and ids in dataset order.
final class FeatureCache {
    let features: Tensor
    let targets: Tensor
    let labels: [[Int]]
    let sampleIDs: [String]
    /// The feature row of each cached dataset index.
    let rowOfIndex: [Int: Int]
    let skipped: [String]

    /// Runs `prefix` over `loader` (an evaluation loader over the whole set) without gradients.
    ///
    /// - Throws: ``TrainingError/data(_:)`` when the features would exceed `limitBytes` (the message
    ///   says how to turn caching off).
    init(prefix: FrozenPrefix, loader: DataLoader, device: Device, channelsLast: Bool, limitBytes: Int) throws {
        var chunks: [Tensor] = [], targetChunks: [Tensor] = []
        var labels: [[Int]] = [], ids: [String] = [], rows: [Int: Int] = [:], skipped: [String] = []
        var bytes = 0
        try withNoGrad {
            var batches = loader.batches(epoch: 0)
            while let batch = try batches.next() {
                skipped += batch.skipped.map(\.description)
                guard batch.count > 0 else { continue }
                var images = try batch.images.to(device: device)
                if channelsLast { images = try images.contiguous(.channelsLast) }
                let output = try prefix(images).contiguous()
                bytes += output.elementCount * 4
                guard bytes <= limitBytes else {
                    throw TrainingError.data("the frozen features of \(loader.dataset.source) need more than \(limitBytes / 1_048_576) MiB; train without the feature cache (--cache-features off)")
                }
                chunks.append(output)
                targetChunks.append(try batch.targets.to(device: device))
                for (offset, index) in batch.indices.enumerated() { rows[index] = labels.count + offset }
                labels += batch.labels
                ids += batch.sampleIDs
            }
        }
        features = try Tensor.cat(chunks, axis: 0)
        targets = try Tensor.cat(targetChunks, axis: 0)
        self.labels = labels
        sampleIDs = ids
        rowOfIndex = rows
        self.skipped = skipped
    }

    var count: Int { labels.count }

    /// Feature rows `rows` and their targets.
    func batch(_ rows: [Int]) throws -> (features: Tensor, targets: Tensor) {
        let index = try Tensor(rows.map { Int64($0) }, shape: [rows.count]).to(device: features.device)
        return (try features.indexSelect(axis: 0, indices: index), try targets.indexSelect(axis: 0, indices: index))
    }
}
