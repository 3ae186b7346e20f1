// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import Testing
import Torch

/// Known answers and properties: projection, ζ → ξ, random controls, metrics.
@Suite struct PerturbationPropertyTests {
    @Test func projectionKeepsTheNormWithinTheRadius() throws {
        let generator = try Generator(seed: 5)
        let values = try Tensor.randn([6, 3, 5, 5], generator: generator) * 2.0
        for norm in PerturbationNorm.allCases {
            let projected = try norm.project(values, radius: 0.7)
            for n in try norm.norms(projected) { #expect(n <= 0.7 * (1 + 1e-6)) }
            // Already inside: unchanged.
            let small = try values * 1e-4
            #expect(try (norm.project(small, radius: 0.7) - small).abs().max().item() == 0)
        }
        // L2 keeps the direction and reaches the sphere; a zero vector stays zero.
        let l2 = try PerturbationNorm.l2.project(values, radius: 0.7)
        let lengths = try PerturbationNorm.l2.norms(values)
        let scale = try Tensor(lengths.map { Float(0.7 / $0) }, shape: [6, 1, 1, 1])
        #expect(try (l2 - values * scale).abs().max().item() < 1e-6)
        for n in try PerturbationNorm.l2.norms(l2) { #expect(abs(n - 0.7) < 1e-5) }
        #expect(try PerturbationNorm.l2.project(Tensor.zeros([1, 4]), radius: 1).abs().max().item() == 0)
        // Known answer: (3, 4) onto radius 1 → (0.6, 0.8); L∞ clamps (3, −4, 0.5) at 1.
        let known = try PerturbationNorm.l2.project(Tensor([Float(3), 4], shape: [1, 2]), radius: 1).hostArray(of: Float.self)
        #expect(abs(known[0] - 0.6) < 1e-6 && abs(known[1] - 0.8) < 1e-6)
        let clamped = try PerturbationNorm.linf.project(Tensor([Float(3), -4, 0.5], shape: [1, 3]), radius: 1)
        #expect(try clamped.hostArray(of: Float.self) == [1, -1, 0.5])
    }

    @Test func zetaToXiArithmetic() throws {
        // Two images: all 0.5 and all 1.0, 3×2×2 (12 values): L2 norms √12·0.5 and √12; L∞ 0.5 and 1.
        let images = try Tensor.cat([Tensor.full([1, 3, 2, 2], value: 0.5), Tensor.ones([1, 3, 2, 2])])
        var l2 = PerturbationBudget(norm: .l2)
        try l2.add(images)
        #expect(abs(try l2.radius(zeta: 0.04) - 0.04 * 0.75 * 12.0.squareRoot()) < 1e-12)
        var linf = PerturbationBudget(norm: .linf)
        try linf.add(images.slice(axis: 0, start: 0, end: 1))
        try linf.add(images.slice(axis: 0, start: 1, end: 2))  // streamed in two parts: the same mean
        #expect(abs(try linf.radius(zeta: 0.02) - 0.02 * 0.75) < 1e-12)
        for bad in [0, -0.1, 1.5, Double.nan, Double.infinity] {
            #expect(throws: AttackError.self) { try l2.radius(zeta: bad) }
        }
        #expect(throws: AttackError.self) { try PerturbationBudget(norm: .l2).radius(zeta: 0.04) }
    }

    @Test func randomControlIsUniformInTheBall() throws {
        let generator = try Generator(seed: 9)
        let draws: [Double] = try (0..<300).map { _ in
            try PerturbationNorm.l2.norm(RandomControl.sample(shape: [1, 2], radius: 2, norm: .l2, generator: generator))
        }
        // In 2 dimensions the radius of a uniform point has P(r ≤ s) = (s/R)²: mean 2R/3, all ≤ R.
        #expect(draws.max()! <= 2 + 1e-9)
        let meanRadius: Double = draws.reduce(0, +) / 300
        #expect(abs(meanRadius - 4.0 / 3) < 0.08)
        // High dimension: on the sphere.
        let big = try RandomControl.sample(shape: [3, 28, 28], radius: 1.5, norm: .l2, generator: generator)
        #expect(abs(try PerturbationNorm.l2.norm(big) - 1.5) < 0.01)
        let cube = try RandomControl.sample(shape: [3, 28, 28], radius: 0.1, norm: .linf, generator: generator)
        #expect(try cube.abs().max().item() <= 0.1 + 1e-7)
        #expect(abs(try cube.abs().mean().item() - 0.05) < 0.003)
    }

    @Test func metricsCountAlreadyTargetImagesAndCompareWithPredictions() throws {
        // Clean predictions vs perturbed; labels differ from the clean predictions on purpose.
        let evaluation = try PerturbationEvaluation(classCount: 3, clean: [0, 0, 1, 2, 2], perturbed: [0, 2, 2, 2, 1],
                                                    labels: [1, 1, 1, 1, 1], targetClass: 2)
        #expect(evaluation.foolingRate == 3.0 / 5)  // images 1, 2, 4 changed prediction
        #expect(evaluation.targetedSuccessRate == 3.0 / 5)  // image 3 was already class 2 and counts
        #expect(evaluation.cleanTargetRate == 2.0 / 5)
        #expect(evaluation.confusion == [[1, 0, 1], [0, 0, 1], [0, 1, 1]])
        let byClass = evaluation.foolingRateByCleanClass
        #expect(byClass[0].images == 2 && byClass[0].foolingRate == 0.5)
        #expect(byClass[1].images == 1 && byClass[1].foolingRate == 1)
        #expect(byClass[2].images == 2 && byClass[2].foolingRate == 0.5)
        let byLabel = try #require(evaluation.ratesByLabel)
        #expect(byLabel[1].images == 5 && byLabel[0].images == 0 && byLabel[0].foolingRate == nil)
        #expect(throws: AttackError.self) {
            try PerturbationEvaluation(classCount: 3, clean: [0], perturbed: [0], targetClass: 5)
        }
    }
}
