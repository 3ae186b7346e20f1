// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Torch

/// The pass loop the sequential and batched UAP searches share: checks `chunk` `[N] + shape(v)`,
/// predicts it clean, then runs passes — `visitPass(images, clean, order)` returns the updates it
/// made — until `settings.passes` or until the fooling rate (targeted: success rate) on clip(x + v)
/// reaches 1 − δ, scoring after every pass as ART does.
func runUAPPasses(chunk: Tensor, classifier: PixelClassifier, settings: UniversalPerturbationSettings,
                  perturbation: () -> Tensor, order: (Int) throws -> [Int],
                  visitPass: (_ images: Tensor, _ clean: [Int], _ order: [Int]) throws -> Int) throws -> ChunkOutcome {
    let shape = perturbation().shape
    guard chunk.rank == 4, Array(chunk.shape.dropFirst()) == shape else {
        throw AttackError("chunk must be [N, \(shape.map(String.init).joined(separator: ", "))], got \(chunk.shape)")
    }
    let count = chunk.shape[0]
    let images = try chunk.to(dtype: .float32).to(device: classifier.device)
    let clean = try classifier.predictions(images)
    var outcome = ChunkOutcome(images: count, passes: 0, updates: 0, foolingRate: 0, targetedSuccessRate: nil)
    var rate = 0.0
    while rate < 1 - settings.delta && outcome.passes < settings.passes {
        let visit = try order(outcome.passes)
        guard visit.count == count, Set(visit) == Set(0..<count) else {
            throw AttackError("visiting order must be a permutation of 0..<\(count)")
        }
        outcome.updates += try visitPass(images, clean, visit)
        outcome.passes += 1
        let evaluation = try PerturbationEvaluation(classifier: classifier, images: images, perturbation: perturbation(),
                                                    targetClass: settings.targetClass, cleanPredictions: clean)
        outcome.foolingRate = evaluation.foolingRate
        outcome.targetedSuccessRate = evaluation.targetedSuccessRate
        rate = evaluation.targetedSuccessRate ?? evaluation.foolingRate
    }
    return outcome
}
