// Scalpel — ScalpelAnalysisTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelAnalysis

/// The expected values scripts/fixtures/fixtures_analysis.py computed with numpy.
struct AnalysisAnswers: Decodable {
    struct Similarity: Decodable {
        let linear_cka, debiased_linear_cka, rbf_cka_05, rbf_cka_10, cca_mean, pwcca: Double
        let cca_coefficients: [Double]
        let cca_threshold_index: Int
        let svcca_top5_mean: Double
        let svcca_top5_coefficients: [Double]
        let svcca_99_kept: [Int]
        let svcca_99_coefficients: [Double]
        let pwcca_narrow_y, pwcca_narrow_y_reversed: Double
    }
    struct TauCase: Decodable { let x: [Double], y: [Double], tau: Double }
    struct Transferability: Decodable {
        let logme, logme_noise, leep, nce, h_score, gbc_diagonal, gbc_spherical, logme_wide: Double
        let tau_cases: [TauCase]
    }
    let similarity: Similarity
    let transferability: Transferability

    static let fixtures = Fixtures(bundle: .module)
    static func load() throws -> AnalysisAnswers {
        try JSONDecoder().decode(AnalysisAnswers.self, from: Data(contentsOf: fixtures.url("analysis.json")))
    }
}

private func notebookPair() throws -> (Tensor, Tensor) {
    let tensors = try AnalysisAnswers.fixtures.tensors("similarity")
    return (try tensors.required("x"), try tensors.required("y"))
}

private func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}

@Suite("Similarity measures")
struct SimilarityTests {
    @Test func knownAnswersOfTheReferenceNotebookAndSVCCA() throws {
        let expected = try AnalysisAnswers.load().similarity
        let (x, y) = try notebookPair()
        var options = SimilarityOptions()
        options.rbfThreshold = 0.5
        let scores = try SimilarityAccumulator.compare(x, y, options: options)
        // The documented values (ANALYSES.md §(a)), then numpy's to 1e-9.
        #expect(close(scores.linearCKA, 0.55761, 5e-6) && close(scores.linearCKA, expected.linear_cka))
        #expect(close(scores.rbfCKA, 0.65483, 5e-6) && close(scores.rbfCKA, expected.rbf_cka_05))
        #expect(close(scores.debiasedLinearCKA, 0.51346, 5e-6) && close(scores.debiasedLinearCKA, expected.debiased_linear_cka))
        #expect(close(scores.cca?.mean, 0.73101, 5e-6) && close(scores.cca?.mean, expected.cca_mean))
        #expect(close(scores.pwcca, 0.73698, 5e-6) && close(scores.pwcca, expected.pwcca))
        let cca = try #require(scores.cca)
        #expect(cca.coefficients.count == expected.cca_coefficients.count)
        #expect(zip(cca.coefficients, expected.cca_coefficients).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(cca.thresholdCount == cca.coefficients.count && expected.cca_threshold_index == -1,
                "98 % is reached only at the last coefficient: google/svcca averages all of them")
        // SVD keeping 99 % of the variance keeps every direction here: the same as plain CCA.
        let svcca = try #require(scores.svcca)
        #expect([svcca.keptX, svcca.keptY] == expected.svcca_99_kept)
        #expect(zip(svcca.coefficients, expected.svcca_99_coefficients).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(scores.rbfDatapoints == 100)
    }

    @Test func svccaWithAFixedNumberOfDirectionsAndRBFAtThresholdOne() throws {
        let expected = try AnalysisAnswers.load().similarity
        let (x, y) = try notebookPair()
        let moments = try CentredCrossProducts.of(x, y)
        let top5 = try CCA.svcca(moments, keep: .count(5))
        #expect(close(top5.mean, 0.67086, 5e-6) && close(top5.mean, expected.svcca_top5_mean))
        #expect(zip(top5.coefficients, expected.svcca_top5_coefficients).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(close(try CKA.rbf(x, y, threshold: 1), expected.rbf_cka_10))
    }

    @Test func pwccaUsesTheNarrowerSideOwnActivations() throws {
        // google/svcca's else-branch indexes acts1 with the y mask (an IndexError when the widths differ);
        // the fixture's script uses acts2. The reference adds each neuron's mean back to the CCA direction of
        // the same index, so its value depends on the SVD's sign convention at the 1e-6 level: 1e-5 here.
        let expected = try AnalysisAnswers.load().similarity
        let tensors = try AnalysisAnswers.fixtures.tensors("similarity")
        let x = try tensors.required("x"), narrow = try tensors.required("y_narrow")
        let value = try CCA.projectionWeighted(try CentredCrossProducts.of(x, narrow))
        #expect(close(value, expected.pwcca_narrow_y, 1e-5), "\(value) vs \(expected.pwcca_narrow_y)")
        let reversed = try CCA.projectionWeighted(try CentredCrossProducts.of(narrow, x))
        #expect(close(reversed, expected.pwcca_narrow_y_reversed, 1e-5), "\(reversed) vs \(expected.pwcca_narrow_y_reversed)")
    }

    @Test func identicalInputsScoreOne() throws {
        let generator = try Generator(seed: 3)
        let x = try Tensor.randn([200, 12], generator: generator, dtype: .float64)
        let scores = try SimilarityAccumulator.compare(x, x)
        for measure in SimilarityMeasure.allCases {
            #expect(close(scores.value(measure), 1, 1e-8), "\(measure) of identical inputs")
        }
    }

    @Test func invariancesOfCKAAndCCA() throws {
        let generator = try Generator(seed: 11)
        let x = try Tensor.randn([300, 8], generator: generator, dtype: .float64)
        let y = try x.matmul(try Tensor.randn([8, 8], generator: generator, dtype: .float64))
            + (try Tensor.randn([300, 8], generator: generator, dtype: .float64))
        let orthogonal = try Tensor.randn([8, 8], generator: generator, dtype: .float64).qr().q
        let invertible = try Tensor.randn([8, 8], generator: generator, dtype: .float64) + (try Tensor.eye(8, dtype: .float64) * 3)
        let base = try SimilarityAccumulator.compare(x, y)
        let rotated = try SimilarityAccumulator.compare(try x.matmul(orthogonal) * 4.5, y)
        let mapped = try SimilarityAccumulator.compare(try x.matmul(invertible), y)
        // Exact invariance holds without the epsilon regulariser (google/svcca's default epsilon is 0).
        let unregularised = try CCA.similarity(try CentredCrossProducts.of(x, y), epsilon: 0)
        let mappedUnregularised = try CCA.similarity(try CentredCrossProducts.of(try x.matmul(invertible), y), epsilon: 0)
        for measure in [SimilarityMeasure.linearCKA, .debiasedCKA, .rbfCKA, .cca, .svcca] {
            #expect(close(rotated.value(measure), base.value(measure)!, 1e-8),
                    "\(measure) is invariant to orthogonal maps and isotropic scaling")
        }
        for measure in [SimilarityMeasure.linearCKA, .debiasedCKA, .rbfCKA] {
            #expect(abs(mapped.value(measure)! - base.value(measure)!) > 1e-3, "\(measure) changes under a general linear map")
        }
        #expect(close(mappedUnregularised.mean, unregularised.mean, 1e-9), "CCA is invariant to every invertible linear map")
        #expect(zip(mappedUnregularised.coefficients, unregularised.coefficients).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(close(mapped.cca?.mean, base.cca!.mean, 1e-5), "and nearly so with epsilon 1e-10")
    }

    @Test func independentGaussiansScoreAtTheBaselineLevel() throws {
        let generator = try Generator(seed: 5)
        let x = try Tensor.randn([400, 16], generator: generator, dtype: .float64)
        let y = try Tensor.randn([400, 16], generator: generator, dtype: .float64)
        var options = SimilarityOptions()
        options.measures = [.linearCKA, .cca, .svcca]
        let scores = try SimilarityAccumulator.compare(x, y, options: options)
        let baseline = try RandomBaseline.draw(datapoints: 400, featuresX: 16, featuresY: 16, options: options, count: 8, seed: 9)
        for measure in options.measures {
            let level = try #require(baseline.summary[measure.rawValue])
            #expect(level.standardDeviation > 0)
            #expect(abs(scores.value(measure)! - level.mean) < 4 * level.standardDeviation + 1e-3,
                    "\(measure): \(scores.value(measure)!) vs baseline \(level.mean) ± \(level.standardDeviation)")
        }
        // A related pair is far above it.
        let related = try SimilarityAccumulator.compare(x, try x + (try y * 0.5), options: options)
        #expect(related.linearCKA! > baseline.summary["linear-cka"]!.mean + 0.3)
        #expect(CoefficientCurve.areaBetween(related.cca!.coefficients, baseline.ccaCurve!) > 0.3)
        #expect(abs(CoefficientCurve.areaBetween(scores.cca!.coefficients, baseline.ccaCurve!)) < 0.05)
    }

    @Test func streamingEqualsOneShot() throws {
        let generator = try Generator(seed: 21)
        // Large means: the shifted accumulation keeps precision.
        let x = try Tensor.randn([250, 9], generator: generator, dtype: .float64) + 1000
        let y = try (try x.slice(axis: 1, start: 0, end: 6) * 0.3) + (try Tensor.randn([250, 6], generator: generator, dtype: .float64)) - 40
        var options = SimilarityOptions()
        options.rbfSampleCap = 4096
        let oneShot = try SimilarityAccumulator.compare(x, y, options: options)
        let streamed = try SimilarityAccumulator(options: options)
        for (start, end) in [(0, 7), (7, 100), (100, 101), (101, 250)] {
            try streamed.add(try x.slice(axis: 0, start: start, end: end), try y.slice(axis: 0, start: start, end: end))
        }
        let scores = try streamed.scores()
        for measure in SimilarityMeasure.allCases where measure != .rbfCKA {
            #expect(close(scores.value(measure), oneShot.value(measure)!, 1e-6), "\(measure) streamed")
        }
        #expect(scores.rbfDatapoints == 250)
    }

    @Test func rbfRunsOnACappedUniformSample() throws {
        let generator = try Generator(seed: 4)
        let x = try Tensor.randn([600, 5], generator: generator, dtype: .float64)
        var options = SimilarityOptions()
        options.measures = [.rbfCKA]
        options.rbfSampleCap = 64
        let accumulator = try SimilarityAccumulator(options: options)
        for start in stride(from: 0, to: 600, by: 50) {
            let batch = try x.slice(axis: 0, start: start, end: start + 50)
            try accumulator.add(batch, batch)
        }
        let scores = try accumulator.scores()
        #expect(scores.rbfDatapoints == 64)
        #expect(close(scores.rbfCKA, 1, 1e-9))
        options.rbfSampleCap = 1_000_000
        #expect(throws: SimilarityError.self) { try SimilarityAccumulator(options: options) }
    }

    @Test func badInputFailsBeforeTheWork() throws {
        let x = try Tensor.randn([50, 10], dtype: .float64)
        #expect(throws: SimilarityError.datapointMismatch(50, 40, "features")) {
            try SimilarityAccumulator.compare(x, try Tensor.randn([40, 10], dtype: .float64))
        }
        let wide = try Tensor.randn([50, 64], dtype: .float64)
        do {
            _ = try SimilarityAccumulator.compare(x, wide)
            Issue.record("CCA on 50 datapoints × 64 features must fail")
        } catch let error as SimilarityError {
            #expect(error.description.contains("50 datapoints for 64 features") && error.description.contains("CKA"))
        }
        var cka = SimilarityOptions()
        cka.measures = [.linearCKA, .debiasedCKA, .rbfCKA]
        #expect(try SimilarityAccumulator.compare(x, wide, options: cka).linearCKA != nil)
    }

    @Test func convolutionalMapsFoldOrPool() throws {
        let generator = try Generator(seed: 8)
        let a = try Tensor.randn([3, 4, 6, 6], generator: generator, dtype: .float64)
        let b = try Tensor.randn([3, 5, 3, 3], generator: generator, dtype: .float64)
        let (foldedA, foldedB) = try SpatialFolding.rows(a, try a.slice(axis: 1, start: 0, end: 2), handling: .automatic)
        #expect(foldedA.shape == [108, 4] && foldedB.shape == [108, 2])
        // Row (image 1, y 2, x 3) holds that position's channels.
        let row = try foldedA.select(axis: 0, index: 36 + 2 * 6 + 3).hostArray(of: Double.self)
        let expected = try a.select(axis: 0, index: 1).select(axis: 1, index: 2).select(axis: 1, index: 3).hostArray(of: Double.self)
        #expect(row == expected)
        let (pooledA, pooledB) = try SpatialFolding.rows(a, b, handling: .automatic)
        #expect(pooledA.shape == [27, 4] && pooledB.shape == [27, 5])
        let (globalA, _) = try SpatialFolding.rows(a, b, handling: .pool)
        #expect(globalA.shape == [3, 4])
        #expect(throws: SimilarityError.self) { try SpatialFolding.rows(a, b, handling: .fold) }
    }

    @Test func areaBetweenCurvesOnTheNormalisedIndex() {
        #expect(abs(CoefficientCurve.areaBetween([1, 1, 1], [0, 0]) - 1) < 1e-12)
        #expect(abs(CoefficientCurve.areaBetween([1, 0], [0.5]) - 0) < 1e-12)
        #expect(abs(CoefficientCurve.areaBetween([1, 0.5, 0], [0, 0, 0, 0]) - 0.5) < 1e-12)
    }
}

@Suite("Similarity-guided truncation")
struct SimilarityGuidedCutTests {
    static func report(_ values: [(String, Double, Double, Double)]) -> CutPointSimilarityReport {
        let cuts = values.map { name, value, mean, std in
            var scores = SimilarityScores(datapoints: 100, featuresX: 8, featuresY: 8)
            scores.linearCKA = value
            let baseline = RandomBaseline(draws: [], summary: ["linear-cka": MeanAndDeviation([mean - std, mean + std])],
                                          ccaCurve: nil, svccaCurve: nil)
            return CutPointComparison(cut: name, channels: 8, spatialSizes: [[1, 1], [1, 1]],
                                      comparison: SimilarityComparison(scores: scores, baseline: baseline,
                                                                       areaAboveBaseline: [:], skipped: [:]))
        }
        return CutPointSimilarityReport(images: 100, spatial: .automatic, cuts: cuts,
                                        blockMatrix: BlockSimilarityMatrix(cuts: [], linearCKA: []))
    }

    @Test func cutsBeforeTheFirstCutPointAtTheRandomLevel() throws {
        // Baseline std of [m − s, m + s] is s·√2.
        let falling = Self.report([("b1", 0.9, 0.1, 0.01), ("b2", 0.7, 0.1, 0.01), ("b3", 0.5, 0.2, 0.01), ("b4", 0.21, 0.2, 0.01)])
        let choice = try SimilarityGuidedCut.choose(from: falling)
        #expect(choice.chosen == "b3" && choice.firstOverlapping == "b4")
        #expect(choice.evidence.map(\.overlaps) == [false, false, false, true])
        #expect(choice.evidence.allSatisfy { $0.measure == "linear-cka" } && choice.rule.hasPrefix("overlap = linear-cka"))
        let reused = try SimilarityGuidedCut.choose(from: Self.report([("b1", 0.9, 0.1, 0.01), ("b2", 0.8, 0.1, 0.01)]))
        #expect(reused.chosen == "b2" && reused.firstOverlapping == nil)
        let none = try SimilarityGuidedCut.choose(from: Self.report([("b1", 0.1, 0.1, 0.01), ("b2", 0.8, 0.1, 0.01)]))
        #expect(none.chosen == "b1" && none.firstOverlapping == "b1")
    }
}
