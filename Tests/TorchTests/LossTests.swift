// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport

extension OpCase {
    /// Mirrors `losses()` in fixtures_ops.py (float32, rtol 1e-5, atol 1e-6).
    static let losses: [OpCase] = {
        var cases: [OpCase] = []
        for (name, reduction) in [("mean", LossReduction.mean), ("sum", .sum), ("none", .none)] {
            cases += [
                OpCase("ce_\(name)") { x in try crossEntropy(logits: x[0], targets: x[1], reduction: reduction) },
                OpCase("ce_weighted_\(name)") { x in
                    try crossEntropy(logits: x[0], targets: x[1], classWeights: x[2], reduction: reduction)
                },
                OpCase("ce_probs_\(name)") { x in try crossEntropy(logits: x[0], targets: x[1], reduction: reduction) },
                OpCase("bce_\(name)") { x in
                    try binaryCrossEntropyWithLogits(logits: x[0], targets: x[1], reduction: reduction)
                },
                OpCase("bce_weighted_\(name)") { x in
                    try binaryCrossEntropyWithLogits(logits: x[0], targets: x[1], weight: x[2], positiveWeight: x[3],
                                                     reduction: reduction)
                },
                OpCase("mse_\(name)") { x in try meanSquaredError(x[0], x[1], reduction: reduction) },
                OpCase("nll_\(name)") { x in
                    try negativeLogLikelihood(logProbabilities: x[0], targets: x[1], reduction: reduction)
                },
            ]
        }
        cases += [
            OpCase("ce_smoothing") { x in try crossEntropy(logits: x[0], targets: x[1], labelSmoothing: 0.1) },
            OpCase("ce_smoothing_weighted") { x in
                try crossEntropy(logits: x[0], targets: x[1], classWeights: x[2], labelSmoothing: 0.2)
            },
            OpCase("ce_smoothing_probs") { x in try crossEntropy(logits: x[0], targets: x[1], labelSmoothing: 0.1) },
            OpCase("ce_ignore_default") { x in try crossEntropy(logits: x[0], targets: x[1]) },
            OpCase("ce_ignore_2_weighted") { x in
                try crossEntropy(logits: x[0], targets: x[1], classWeights: x[2], ignoreIndex: 2)
            },
            OpCase("ce_ignore_2_none") { x in
                try crossEntropy(logits: x[0], targets: x[1], reduction: .none, ignoreIndex: 2)
            },
            OpCase("ce_ignore_smoothing") { x in
                try crossEntropy(logits: x[0], targets: x[1], ignoreIndex: 2, labelSmoothing: 0.1)
            },
            OpCase("ce_spatial") { x in try crossEntropy(logits: x[0], targets: x[1]) },
            OpCase("ce_float64") { x in try crossEntropy(logits: x[0], targets: x[1]) },
            OpCase("bce_pos_weight") { x in
                try binaryCrossEntropyWithLogits(logits: x[0], targets: x[1], positiveWeight: x[2])
            },
            OpCase("bce_extreme") { x in try binaryCrossEntropyWithLogits(logits: x[0], targets: x[1]) },
            OpCase("nll_weighted") { x in
                try negativeLogLikelihood(logProbabilities: x[0], targets: x[1], classWeights: x[2])
            },
            OpCase("nll_ignore") { x in try negativeLogLikelihood(logProbabilities: x[0], targets: x[1], ignoreIndex: 2) },
            OpCase("nll_ignore_default") { x in try negativeLogLikelihood(logProbabilities: x[0], targets: x[1]) },
        ]
        return table("losses", cases)
    }()
}

@Suite struct LossTests {
    @Test(arguments: OpCase.losses)
    func matchesPyTorch(_ opCase: OpCase) throws { try checkValues(opCase) }

    @Test func everyFixtureCaseHasASwiftMirror() throws { try checkCoverage("losses", OpCase.losses) }

    // Hand-computed cases.

    /// Two classes with equal logits: every sample costs log 2.
    @Test func crossEntropyOfUniformLogitsIsLogOfClassCount() throws {
        let logits = try Tensor.zeros([3, 2], dtype: .float64)
        let targets = try ints([0, 1, 1])
        #expect(Swift.abs(try crossEntropy(logits: logits, targets: targets).item() - log(2)) < 1e-12)
        #expect(Swift.abs(try crossEntropy(logits: logits, targets: targets, reduction: .sum).item() - 3 * log(2)) < 1e-12)
        let none = try crossEntropy(logits: logits, targets: targets, reduction: .none)
        #expect(none.shape == [3])
    }

    /// Class weights turn the mean into a weighted mean: Σ wᵢ·lossᵢ / Σ wᵢ.
    @Test func classWeightsGiveAWeightedMean() throws {
        let logits = try Tensor([2, 0, 0, 2] as [Double], shape: [2, 2])
        let targets = try ints([0, 0])
        let perSample = try crossEntropy(logits: logits, targets: targets, reduction: .none).hostArray(of: Double.self)
        let weights = try Tensor([3, 1] as [Double])
        let weighted = try crossEntropy(logits: logits, targets: targets, classWeights: weights).item()
        // Both targets are class 0, so both samples weigh 3: the weighted mean is the plain mean.
        #expect(Swift.abs(weighted - (perSample[0] + perSample[1]) / 2) < 1e-12)
        let mixed = try crossEntropy(logits: logits, targets: ints([0, 1]), classWeights: weights).item()
        let l0 = log(1 + exp(-2.0))
        #expect(Swift.abs(mixed - (3 * l0 + 1 * l0) / 4) < 1e-12)
    }

    @Test func ignoredTargetsDoNotCount() throws {
        let logits = try Tensor([5, 0, 0, 5, 1, 1] as [Double], shape: [3, 2])
        let all = try crossEntropy(logits: logits, targets: ints([0, 1, 0]), reduction: .none).hostArray(of: Double.self)
        let ignored = try crossEntropy(logits: logits, targets: ints([0, 1, -100]), reduction: .none)
        #expect(try ignored.hostArray(of: Double.self) == [all[0], all[1], 0])
        let mean = try crossEntropy(logits: logits, targets: ints([0, 1, -100])).item()
        #expect(Swift.abs(mean - (all[0] + all[1]) / 2) < 1e-12)
    }

    @Test func bceAndMSEByHand() throws {
        let zero = try Tensor.zeros([2], dtype: .float64)
        let targets = try Tensor([1, 0] as [Double])
        #expect(Swift.abs(try binaryCrossEntropyWithLogits(logits: zero, targets: targets).item() - log(2)) < 1e-12)
        // pos_weight 3 scales the positive term only: (3 log 2 + log 2) / 2.
        let weighted = try binaryCrossEntropyWithLogits(logits: zero, targets: targets,
                                                        positiveWeight: Tensor([3] as [Double])).item()
        #expect(Swift.abs(weighted - 2 * log(2)) < 1e-12)
        let a = try floats([1, 2, 3])
        let b = try floats([1, 0, 6])
        assertClose(try meanSquaredError(a, b), try Tensor.scalar(13.0 / 3.0))
        #expect(try meanSquaredError(a, b, reduction: .sum).item() == 13)
        #expect(try meanSquaredError(a, b, reduction: .none).hostArray(of: Float.self) == [0, 4, 9])
    }

    @Test func nllPicksTheTargetLogProbability() throws {
        let logProbabilities = try floats([-1, -2, -3, -4], [2, 2])
        #expect(try negativeLogLikelihood(logProbabilities: logProbabilities, targets: ints([1, 0])).item() == 2.5)
        #expect(try negativeLogLikelihood(logProbabilities: logProbabilities, targets: ints([1, 0]),
                                          reduction: .none).hostArray(of: Float.self) == [2, 3])
    }
}
