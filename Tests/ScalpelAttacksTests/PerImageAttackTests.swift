// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelAttacks
import Testing
import Torch

/// FGSM and PGD against torchattacks 3.5.1 on the fixture CNN (pixels in [0, 1]).
@Suite struct PerImageAttackTests {
    /// A sign flip where the gradient is ~0 moves one pixel by 2ε; allow it on a tiny share of pixels.
    static let pixelTolerance = 1e-5

    func check(_ actual: Tensor, _ key: String, maximumShare: Double = 0.002) throws {
        let expected = try AttackFixture.tensor("attack_pgd", key)
        let gap = try AttackFixture.difference(actual, expected, tolerance: Self.pixelTolerance)
        #expect(gap.share <= maximumShare, "\(key): \(gap.share * 100) % of pixels differ (largest \(gap.maximum))")
        #expect(try actual.min().item() >= 0 && actual.max().item() <= 1, "\(key) leaves [0, 1]")
    }

    @Test func fgsmMatchesTorchattacks() throws {
        let classifier = try AttackFixture.classifier()
        let images = try AttackFixture.tensor("attack_model", "images")
        let labels = try AttackFixture.ints(AttackFixture.tensor("attack_pgd", "labels"))
        let adversarial = try FGSM(epsilon: 8.0 / 255)(classifier, images: images, goal: .untargeted(labels: labels))
        try check(adversarial, "fgsm.linf")
        // Not a copy of the input: the attack moved almost every pixel by ε.
        let moved = try AttackFixture.difference(adversarial, images, tolerance: 1e-3)
        #expect(moved.share > 0.5)
    }

    @Test func pgdLinfMatchesTorchattacks() throws {
        let classifier = try AttackFixture.classifier()
        let images = try AttackFixture.tensor("attack_model", "images")
        let labels = try AttackFixture.ints(AttackFixture.tensor("attack_pgd", "labels"))
        let pgd = try PGD(norm: .linf, epsilon: 8.0 / 255, stepSize: 2.0 / 255, steps: 5)
        try check(pgd(classifier, images: images, goal: .untargeted(labels: labels)), "pgd.linf")
        let start = try AttackFixture.tensor("attack_pgd", "pgd.linf.random.start")
        try check(pgd(classifier, images: images, goal: .untargeted(labels: labels), start: .given(start)), "pgd.linf.random")
        let targets = try AttackFixture.ints(AttackFixture.tensor("attack_pgd", "targets"))
        try check(pgd(classifier, images: images, goal: .targeted(classes: targets)), "pgd.linf.targeted")
    }

    @Test func pgdL2MatchesTorchattacks() throws {
        let classifier = try AttackFixture.classifier()
        let images = try AttackFixture.tensor("attack_model", "images")
        let labels = try AttackFixture.ints(AttackFixture.tensor("attack_pgd", "labels"))
        let pgd = try PGD(norm: .l2, epsilon: 0.5, stepSize: 0.1, steps: 5)
        try check(pgd(classifier, images: images, goal: .untargeted(labels: labels)), "pgd.l2", maximumShare: 0)
        let start = try AttackFixture.tensor("attack_pgd", "pgd.l2.random.start")
        try check(pgd(classifier, images: images, goal: .untargeted(labels: labels), start: .given(start)), "pgd.l2.random",
                  maximumShare: 0)
    }

    /// The random start's distribution (torchattacks': L∞ uniform per pixel; L2 radius uniform in
    /// [0, ε]) and the budget after the steps.
    @Test func randomStartsStayInTheBallWithTheRightSpread() throws {
        let generator = try Generator(seed: 3)
        let linf = try PGD(norm: .linf, epsilon: 0.1, stepSize: 0.02, steps: 2)
        let uniform = try linf.randomStart(shape: [64, 3, 8, 8], generator: generator)
        #expect(try uniform.abs().max().item() <= 0.1 + 1e-7)
        #expect(abs(try uniform.abs().mean().item() - 0.05) < 0.002)  // E|U(−ε, ε)| = ε/2
        let l2 = try PGD(norm: .l2, epsilon: 0.5, stepSize: 0.1, steps: 2)
        let radii = try PerturbationNorm.l2.norms(l2.randomStart(shape: [2000, 3, 4, 4], generator: generator))
        #expect(radii.max()! <= 0.5 + 1e-6)
        let meanRadius: Double = radii.reduce(0, +) / Double(radii.count)
        #expect(abs(meanRadius - 0.25) < 0.015)  // uniform radius: mean ε/2

        let classifier = try AttackFixture.classifier()
        let images = try AttackFixture.tensor("attack_model", "images")
        let labels = try classifier.predictions(images)
        for pgd in [linf, l2] {
            let adversarial = try pgd(classifier, images: images, goal: .untargeted(labels: labels),
                                      start: .random(generator))
            let norms = try pgd.norm.norms(adversarial - images)
            #expect(norms.max()! <= pgd.epsilon + 1e-5)
            #expect(try adversarial.min().item() >= 0 && adversarial.max().item() <= 1)
        }
    }
}
