// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelAttacks
import Testing
import Torch

/// The batched variant: a different algorithm, so properties rather than parity.
@Suite struct BatchedUniversalPerturbationTests {
    @Test func batchedStepsFoolTheModelWithinTheBall() throws {
        let classifier = try AttackFixture.classifier()
        let source = try AttackFixture.tensor("attack_uap", "source")
        let result = try AttackFixture.doubles(AttackFixture.tensor("attack_uap", "uap.l2.result"))
        for norm in PerturbationNorm.allCases {
            let radius = norm == .l2 ? result[0] : 0.1
            let settings = try UniversalPerturbationSettings(norm: norm, radius: radius, fgsmEpsilon: 0.02, passes: 10)
            let batched = try BatchedUniversalPerturbation(classifier: classifier, settings: settings, imageShape: [3, 16, 16],
                                                           batchSize: 8)
            let outcome = try batched.process(chunk: source) { _ in Array(0..<24) }
            #expect(outcome.updates > 0)
            #expect(outcome.foolingRate > 0.2, "\(norm): batched fooling rate \(outcome.foolingRate)")
            #expect(try norm.norm(batched.perturbation) <= radius * (1 + 1e-5))
            let check = try PerturbationEvaluation(classifier: classifier, images: source, perturbation: batched.perturbation)
            #expect(check.foolingRate == outcome.foolingRate)
        }
        let targeted = try UniversalPerturbationSettings(norm: .l2, radius: result[0], fgsmEpsilon: 0.02, targetClass: 0, passes: 10)
        let batched = try BatchedUniversalPerturbation(classifier: classifier, settings: targeted, imageShape: [3, 16, 16])
        let outcome = try batched.process(chunk: source) { _ in Array(0..<24) }
        let before = try PerturbationEvaluation(classifier: classifier, images: source, perturbation: Tensor.zeros([3, 16, 16]),
                                                targetClass: 0)
        #expect(try #require(outcome.targetedSuccessRate) > (before.targetedSuccessRate ?? 1))
    }
}
