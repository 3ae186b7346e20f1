// Scalpel — ScalpelMetricsTests
// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ScalpelMetrics
import ScalpelRandom

private typealias M = ScalpelMetrics

@Test func tinyRankingCasesByHand() throws {
    // scikit-learn's documentation example: AUROC 0.75, AP 0.8333….
    #expect(close(try M.auroc(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]), 0.75))
    #expect(close(try M.auprc(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]), 5.0 / 6))
    // A tie between a positive and a negative counts one half: (1 + 0.5 + 2) / 4.
    #expect(close(try M.auroc(scores: [0.2, 0.5, 0.5, 0.9], labels: [0, 0, 1, 1]), 0.875))
    // AP steps: R 0.5 at P 1, then R 1 at P 2/3 (the tied pair enters together).
    #expect(close(try M.auprc(scores: [0.2, 0.5, 0.5, 0.9], labels: [0, 0, 1, 1]), 0.5 + 0.5 * 2 / 3))
    #expect(close(try M.auroc(scores: [0.5, 0.5], labels: [0, 1]), 0.5))
    // Perfectly separated multi-class scores.
    let scores: [[Double]] = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    #expect(close(try M.auroc(scores: scores, labels: [0, 1, 2]), 1))
    #expect(close(try M.auroc(scores: scores, labels: [0, 1, 2], average: .micro), 1))
    #expect(close(try M.auprc(scores: scores, labels: [0, 1, 2]), 1))
}

@Test func tinyClassificationCasesByHand() throws {
    // Binary threshold is strict: 0.5 is predicted negative.
    #expect(try M.predictions(scores: [0.5, 0.6]) == [0, 1])
    #expect(close(try M.accuracy(scores: [0.5, 0.6], labels: [0, 1]), 1))
    #expect(try M.predictions(scores: [[0.4, 0.4, 0.2]]) == [0], "first index on ties")
    // Multi-label: decisions (1,0),(0,1) against (1,1),(0,1) → 3 of 4.
    #expect(close(try M.accuracy(scores: [[0.9, 0.2], [0.4, 0.7]], labels: [[1, 1], [0, 1]]), 0.75))
    #expect(close(try M.f1(predictions: [1, 1, 0, 0], labels: [1, 0, 1, 0]), 0.5))
    #expect(close(try M.f1(predictions: [0, 0], labels: [0, 0]), 0), "zero division gives 0")
    // κ: observed agreement 3/4, chance (3·2 + 1·2)/16 = 1/2 → κ = 1/2.
    #expect(close(try M.cohenKappa(predictions: [0, 1, 1, 0], labels: [0, 1, 0, 0]), 0.5))
    #expect(close(try M.cohenKappa(predictions: [0, 1, 2, 3], labels: [0, 1, 2, 3], classCount: 5, weighting: .quadratic), 1))
    #expect(try M.confusionMatrix(predictions: [0, 1, 1, 0], labels: [0, 1, 0, 0]) == [[2, 1], [0, 1]])
    #expect(close(try M.balancedAccuracy(predictions: [0, 1, 1, 0], labels: [0, 1, 0, 0]), (2.0 / 3 + 1) / 2))
    #expect(close(try M.sensitivity(predictions: [0, 1, 1, 0], labels: [0, 1, 0, 0]), 1))
    #expect(close(try M.specificity(predictions: [0, 1, 1, 0], labels: [0, 1, 0, 0]), 2.0 / 3))
    let sens = try M.sensitivityPerClass(predictions: [0, 1, 1], labels: [0, 1, 0], classCount: 3)
    #expect(sens == [0.5, 1, nil])
    // ECE: confidences 0.9 (correct) and 0.6 (wrong) in different bins → ½·0.1 + ½·0.6.
    #expect(close(try M.expectedCalibrationError(scores: [[0.9, 0.1], [0.6, 0.4]], labels: [0, 1]), 0.35))
    #expect(close(try M.expectedCalibrationError(scores: [0.1, 0.4], labels: [0, 1]), 0.5 * 0.1 + 0.5 * 0.6))
}

private func expectError(_ kind: MetricError.Kind, mentioning text: String, _ body: () throws -> Any?) {
    do {
        _ = try body()
        Issue.record("expected a \(kind) error mentioning \"\(text)\"")
    } catch let error as MetricError {
        #expect(error.kind == kind, "\(error)")
        #expect(error.message.contains(text), "\(error)")
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Test func undefinedAndInvalidInputThrow() throws {
    expectError(.undefined, mentioning: "class 0") { try M.auroc(scores: [0.3, 0.7], labels: [1, 1]) }
    expectError(.undefined, mentioning: "class 1") { try M.auprc(scores: [0.3, 0.7], labels: [0, 0]) }
    expectError(.undefined, mentioning: "class 2") {
        try M.auroc(scores: [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3]], labels: [0, 1])
    }
    expectError(.undefined, mentioning: "label 1") {
        try M.auroc(scores: [[0.5, 0.3], [0.2, 0.5]], labels: [[0, 0], [1, 0]])
    }
    expectError(.lengthMismatch, mentioning: "3 scores but 2 labels") { try M.auroc(scores: [0.1, 0.2, 0.3], labels: [0, 1]) }
    expectError(.lengthMismatch, mentioning: "row 1") { try M.accuracy(scores: [[0.5, 0.5], [1.0]], labels: [0, 1]) }
    expectError(.empty, mentioning: "no samples") { try M.auroc(scores: [Double](), labels: []) }
    expectError(.empty, mentioning: "no samples") { try M.accuracy(predictions: [], labels: []) }
    expectError(.nonFiniteScore, mentioning: "score 1 is nan") { try M.auroc(scores: [0.1, .nan], labels: [0, 1]) }
    expectError(.nonFiniteScore, mentioning: "[1][0]") { try M.auroc(scores: [[0.5, 0.5], [.infinity, 0]], labels: [0, 1]) }
    expectError(.labelOutOfRange, mentioning: "label 1 is 2") { try M.auroc(scores: [0.1, 0.2], labels: [0, 2]) }
    expectError(.labelOutOfRange, mentioning: "expected 0..<2") { try M.accuracy(scores: [[0.5, 0.5]], labels: [3]) }
    expectError(.labelOutOfRange, mentioning: "-1") { try M.confusionMatrix(predictions: [0, -1], labels: [0, 1]) }
    expectError(.undefined, mentioning: "class 1") { try M.sensitivity(predictions: [0, 1], labels: [0, 0]) }
    expectError(.undefined, mentioning: "chance") { try M.cohenKappa(predictions: [1, 1], labels: [1, 1]) }
    expectError(.invalidArgument, mentioning: "resamples") { try M.bootstrap(sampleCount: 3, resamples: 0) { _ in 0 } }
}

@Test func skippingUndefinedLabels() throws {
    let scores: [[Double]] = [[0.2, 0.3], [0.8, 0.6], [0.6, 0.1]]
    // Label 1 has no positives: skipped; label 0's AUROC is 1.
    #expect(try M.aurocSkippingUndefined(scores: scores, labels: [[0, 0], [1, 0], [1, 0]]) == 1)
    #expect(try M.aurocSkippingUndefined(scores: scores, labels: [[0, 0], [0, 0], [0, 0]]) == nil)
    expectError(.nonFiniteScore, mentioning: "nan") {
        try M.aurocSkippingUndefined(scores: [[.nan]], labels: [[0]])
    }
}

@Test func splitMix64IsTheReferenceSequence() {
    var rng = SplitMix64(seed: 0)
    #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
    var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
    let draws = (0..<1000).map { _ in a.below(7) }
    #expect(draws == (0..<1000).map { _ in b.below(7) })
    #expect(Set(draws) == Set(0..<7))
}

@Test func bootstrapIntervalContainsTheEstimateAndIsReproducible() throws {
    let f = try Fixture.load().binary_large
    let auroc: ([Int]) throws -> Double = { idx in
        try M.auroc(scores: idx.map { f.scores[$0] }, labels: idx.map { f.labels[$0] })
    }
    let ci = try M.bootstrap(sampleCount: f.labels.count, resamples: 300, seed: 7, metric: auroc)
    #expect(close(ci.estimate, f.auroc))
    #expect(ci.lower <= ci.estimate && ci.estimate <= ci.upper, "\(ci)")
    #expect(ci.lower < ci.upper && ci.validResamples == 300)
    #expect(try M.bootstrap(sampleCount: f.labels.count, resamples: 300, seed: 7, metric: auroc) == ci)
    #expect(try M.bootstrap(sampleCount: f.labels.count, resamples: 300, seed: 8, metric: auroc) != ci)
    let stratified = try M.bootstrap(sampleCount: f.labels.count, resamples: 300, seed: 7, stratifyBy: f.labels, metric: auroc)
    #expect(stratified.lower <= stratified.estimate && stratified.estimate <= stratified.upper)
    // Resamples where the metric is undefined are skipped: two samples, one of each class.
    let tiny = try M.bootstrap(sampleCount: 2, resamples: 200, seed: 1) { idx in
        try M.auroc(scores: idx.map { [0.2, 0.9][$0] }, labels: idx.map { [0, 1][$0] })
    }
    #expect(tiny.validResamples < 200 && tiny.lower == 1 && tiny.upper == 1)
    // Percentiles interpolate linearly between order statistics.
    #expect(close(M.quantile([1, 2, 3, 4, 5], 0.025), 1.1))
}
