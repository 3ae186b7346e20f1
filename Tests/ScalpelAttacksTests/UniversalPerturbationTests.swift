// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelAttacks
import Testing
import Torch

/// The sequential UAP search against ART 1.20.1's UniversalPerturbation and
/// TargetedUniversalPerturbation (attacker fgsm) on the fixture CNN, replaying ART's visiting order.
@Suite struct UniversalPerturbationTests {
    /// ART computes in numpy float32, Scalpel in libtorch float32: the noise agrees to float rounding
    /// when every accept/reject decision agrees, which the equal fooling rates confirm.
    static let noiseTolerance = 1e-5

    func replayART(_ name: String) throws -> (search: UniversalPerturbationSearch, outcome: ChunkOutcome, result: [Double]) {
        let classifier = try AttackFixture.classifier()
        let source = try AttackFixture.tensor("attack_uap", "source")
        let result = try AttackFixture.doubles(AttackFixture.tensor("attack_uap", name + ".result"))
        let orders = try AttackFixture.tensor("attack_uap", name + ".order")
        let passes = orders.shape[0], count = orders.shape[1]
        let flat = try AttackFixture.ints(orders)
        let settings = try UniversalPerturbationSettings(
            norm: name.hasSuffix("linf") ? .linf : .l2, radius: result[0], fgsmEpsilon: result[1],
            targetClass: result[5] < 0 ? nil : Int(result[5]), passes: 3, delta: 0)
        let search = try UniversalPerturbationSearch(classifier: classifier, settings: settings, imageShape: [3, 16, 16])
        let outcome = try search.process(chunk: source) { pass in
            #expect(pass < passes, "Scalpel ran more passes than ART")
            return Array(flat[(pass * count)..<((pass + 1) * count)])
        }
        #expect(outcome.passes == passes, "\(name): \(outcome.passes) passes, ART ran \(passes)")
        return (search, outcome, result)
    }

    func checkAgainstART(_ name: String) throws {
        let (search, outcome, result) = try replayART(name)
        let noise = try AttackFixture.tensor("attack_uap", name + ".noise")
        let gap = try AttackFixture.difference(search.perturbation, noise, tolerance: Self.noiseTolerance)
        #expect(gap.maximum <= Self.noiseTolerance, "\(name): noise differs from ART's by up to \(gap.maximum)")
        #expect(abs(outcome.foolingRate - result[2]) < 1e-9, "\(name): fooling rate \(outcome.foolingRate), ART \(result[2])")
        if !result[3].isNaN {
            #expect(abs((outcome.targetedSuccessRate ?? -1) - result[3]) < 1e-9,
                    "\(name): targeted success \(outcome.targetedSuccessRate ?? -1), ART \(result[3])")
        }
        #expect(outcome.updates > 0, "\(name): the perturbation never changed, the case tests nothing")
        #expect(try search.settings.norm.norm(search.perturbation) <= search.settings.radius * (1 + 1e-5))
        // The held-out fooling rate computed by the fixture script from ART's noise.
        let heldout = try AttackFixture.tensor("attack_uap", "heldout")
        let evaluation = try PerturbationEvaluation(classifier: search.classifier, images: heldout,
                                                    perturbation: search.perturbation)
        let expected = try AttackFixture.doubles(AttackFixture.tensor("attack_uap", name + ".heldout.fooling"))[0]
        #expect(abs(evaluation.foolingRate - expected) < 1e-9, "\(name): held-out \(evaluation.foolingRate), ART's noise \(expected)")
    }

    @Test func nonTargetedL2MatchesART() throws { try checkAgainstART("uap.l2") }
    @Test func nonTargetedLinfMatchesART() throws { try checkAgainstART("uap.linf") }
    @Test func targetedL2MatchesART() throws { try checkAgainstART("tuap.l2") }
    @Test func targetedLinfMatchesART() throws { try checkAgainstART("tuap.linf") }

    /// Two chunks with v carried over equal one search that continues from the first chunk's v.
    @Test func chunksCarryThePerturbationOver() throws {
        let classifier = try AttackFixture.classifier()
        let source = try AttackFixture.tensor("attack_uap", "source")
        let settings = try UniversalPerturbationSettings(norm: .l2, radius: 1.0, fgsmEpsilon: 0.03)
        let first = try source.slice(axis: 0, start: 0, end: 12), second = try source.slice(axis: 0, start: 12, end: 24)
        let order = { (_: Int) in Array(0..<12) }
        let streamed = try UniversalPerturbationSearch(classifier: classifier, settings: settings, imageShape: [3, 16, 16])
        try streamed.process(chunk: first, order: order)
        let afterFirst = try streamed.perturbation.clone()
        try streamed.process(chunk: second, order: order)
        #expect(streamed.imagesSeen == 24)
        let resumed = try UniversalPerturbationSearch(classifier: classifier, settings: settings, imageShape: [3, 16, 16],
                                                      initial: afterFirst, imagesSeen: 12)
        try resumed.process(chunk: second, order: order)
        #expect(try AttackFixture.difference(resumed.perturbation, streamed.perturbation, tolerance: 0).maximum == 0)
        #expect(resumed.imagesSeen == 24)
    }

    @Test func rejectsBadSettings() throws {
        let classifier = try AttackFixture.classifier()
        #expect(throws: AttackError.self) { try UniversalPerturbationSettings(norm: .l2, radius: 0, fgsmEpsilon: 0.01) }
        #expect(throws: AttackError.self) { try UniversalPerturbationSettings(norm: .l2, radius: 1, fgsmEpsilon: 2) }
        let settings = try UniversalPerturbationSettings(norm: .l2, radius: 1, fgsmEpsilon: 0.01, targetClass: 3)
        #expect(throws: AttackError.self) {
            try UniversalPerturbationSearch(classifier: classifier, settings: settings, imageShape: [3, 16, 16])
        }
        let fine = try UniversalPerturbationSettings(norm: .l2, radius: 1, fgsmEpsilon: 0.01)
        #expect(throws: AttackError.self) {
            try UniversalPerturbationSearch(classifier: classifier, settings: fine, imageShape: [3, 16, 16],
                                            initial: Tensor.zeros([1, 16, 16]))
        }
    }
}
