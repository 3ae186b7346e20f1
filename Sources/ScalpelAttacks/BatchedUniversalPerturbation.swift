// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A batched variant of the UAP search — *not* Moosavi-Dezfooli's sequential algorithm, and its
/// perturbation differs from ART's. For each batch of B images it takes one forward and backward
/// pass at clip(x + v): the images still unfooled (non-targeted: predicted as their clean class;
/// targeted: not yet the target) contribute their cross-entropy, summed, and v takes one FGSM step
/// on the sum's gradient, v ← Proj(v + ε · sign(Σᵢ ∇ᵢ)) (targeted: −ε), as stochastic-gradient UAPs
/// do (Shafahi et al. 2020). Every step is accepted; there is no per-image flip test. It does
/// B times fewer forward/backward passes per source image than the sequential search.
public final class BatchedUniversalPerturbation {
    public let classifier: PixelClassifier
    public let settings: UniversalPerturbationSettings
    public let batchSize: Int
    /// v `[C, H, W]`, float32, in [0, 1] pixel units.
    public private(set) var perturbation: Tensor
    public private(set) var imagesSeen = 0

    public init(classifier: PixelClassifier, settings: UniversalPerturbationSettings, imageShape: [Int],
                batchSize: Int = 32) throws {
        guard imageShape.count == 3, imageShape[0] == classifier.channels else {
            throw AttackError("image shape must be [\(classifier.channels), H, W], got \(imageShape)")
        }
        guard (1...4096).contains(batchSize) else { throw AttackError("batch size must be in 1...4096, got \(batchSize)") }
        if let target = settings.targetClass, !(0..<classifier.classCount).contains(target) {
            throw AttackError("target class \(target) does not exist: the model has classes 0...\(classifier.classCount - 1)")
        }
        self.classifier = classifier
        self.settings = settings
        self.batchSize = batchSize
        perturbation = try Tensor.zeros(imageShape).to(device: classifier.device)
    }

    /// Up to ``UniversalPerturbationSettings/passes`` passes over `chunk` `[N, C, H, W]`, batches in
    /// `order(pass)` order; the outcome's `updates` counts the steps taken.
    @discardableResult
    public func process(chunk: Tensor, order: (Int) throws -> [Int]) throws -> ChunkOutcome {
        let outcome = try runUAPPasses(chunk: chunk, classifier: classifier, settings: settings, perturbation: { perturbation },
                                       order: order) { images, clean, visit in
            var updates = 0, start = 0
            while start < visit.count {
                let indices = Array(visit[start..<min(start + batchSize, visit.count)])
                start += batchSize
                let batch = try images.indexSelect(axis: 0, indices: Tensor(indices.map { Int64($0) }, shape: [indices.count]))
                if try step(batch, clean: indices.map { clean[$0] }) { updates += 1 }
            }
            return updates
        }
        imagesSeen += outcome.images
        return outcome
    }

    private func step(_ batch: Tensor, clean: [Int]) throws -> Bool {
        let gradient: Tensor? = try withGrad {
            let input = try (batch + perturbation).clamped(min: 0, max: 1).detached().requiringGradient()
            let logits = try classifier.logits(input)
            let current = try logits.argmax(axis: 1).hostArray(of: Int64.self).map { Int($0) }
            let labels = settings.targetClass.map { Array(repeating: $0, count: clean.count) } ?? clean
            let active = zip(current, labels).map { settings.targetClass == nil ? $0 == $1 : $0 != $1 }
            guard active.contains(true) else { return nil }
            let targets = try Tensor(labels.map { Int64($0) }, shape: [labels.count]).to(device: classifier.device)
            let mask = try Tensor(active.map { Float($0 ? 1 : 0) }, shape: [active.count]).to(device: classifier.device)
            let losses = try crossEntropy(logits: logits, targets: targets, reduction: .none)
            return try gradients(of: (losses * mask).sum(), withRespectTo: [input])[0]
        }
        guard let gradient else { return false }
        try withNoGrad {
            let direction = try gradient.sum(axes: [0]).sign() * (settings.targetClass == nil ? settings.fgsmEpsilon : -settings.fgsmEpsilon)
            perturbation = try settings.norm.project((perturbation + direction).unsqueezed(axis: 0), radius: settings.radius)
                .squeezed(axis: 0)
        }
        return true
    }
}
