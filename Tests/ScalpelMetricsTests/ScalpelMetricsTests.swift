// Scalpel — ScalpelMetricsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelMetrics

/// The cases scripts/fixtures/fixtures_metrics.py wrote, with scikit-learn's values.
struct Fixture: Decodable {
    struct Binary: Decodable {
        let scores: [Double], labels: [Int], confusion: [[Int]]
        let auroc, auprc, accuracy, balanced_accuracy, f1, sensitivity, specificity, kappa, ece: Double
    }
    struct MultiClass: Decodable {
        let scores: [[Double]], labels: [Int], confusion: [[Int]], sensitivity: [Double], specificity: [Double]
        let auroc_macro, auroc_micro, auprc_macro, accuracy, balanced_accuracy, f1_macro, kappa, kappa_quadratic, ece: Double
    }
    struct MultiLabel: Decodable {
        let scores: [[Double]], labels: [[Int]], auroc_per_label: [Double], auprc_per_label: [Double]
        let auroc_macro, auprc_macro, accuracy: Double
    }
    let binary_small, binary_large: Binary
    let multiclass_small, multiclass_large: MultiClass
    let multilabel_small, multilabel_large: MultiLabel

    static func load() throws -> Fixture {
        let url = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/metrics.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }
}

let tolerance = 1e-9

func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance }
func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { close($0, $1) } }

@Test(arguments: ["small", "large"])
func binaryMatchesScikitLearn(size: String) throws {
    let all = try Fixture.load()
    let f = size == "small" ? all.binary_small : all.binary_large
    typealias M = ScalpelMetrics
    #expect(Set(f.scores).count < f.scores.count, "the case has tied scores")
    #expect(close(try M.auroc(scores: f.scores, labels: f.labels), f.auroc))
    #expect(close(try M.auprc(scores: f.scores, labels: f.labels), f.auprc))
    #expect(close(try M.accuracy(scores: f.scores, labels: f.labels), f.accuracy))
    let p = try M.predictions(scores: f.scores)
    #expect(close(try M.balancedAccuracy(predictions: p, labels: f.labels), f.balanced_accuracy))
    #expect(close(try M.f1(predictions: p, labels: f.labels), f.f1))
    #expect(close(try M.sensitivity(predictions: p, labels: f.labels), f.sensitivity))
    #expect(close(try M.specificity(predictions: p, labels: f.labels), f.specificity))
    #expect(close(try M.cohenKappa(predictions: p, labels: f.labels), f.kappa))
    #expect(try M.confusionMatrix(predictions: p, labels: f.labels, classCount: 2) == f.confusion)
    #expect(close(try M.expectedCalibrationError(scores: f.scores, labels: f.labels), f.ece))
}

@Test(arguments: ["small", "large"])
func multiClassMatchesScikitLearn(size: String) throws {
    let all = try Fixture.load()
    let f = size == "small" ? all.multiclass_small : all.multiclass_large
    typealias M = ScalpelMetrics
    #expect(close(try M.auroc(scores: f.scores, labels: f.labels), f.auroc_macro))
    #expect(close(try M.auroc(scores: f.scores, labels: f.labels, average: .micro), f.auroc_micro))
    #expect(close(try M.auprc(scores: f.scores, labels: f.labels), f.auprc_macro))
    #expect(close(try M.accuracy(scores: f.scores, labels: f.labels), f.accuracy))
    let p = try M.predictions(scores: f.scores)
    #expect(close(try M.balancedAccuracy(predictions: p, labels: f.labels), f.balanced_accuracy))
    #expect(close(try M.macroF1(predictions: p, labels: f.labels), f.f1_macro))
    let sens = try M.sensitivityPerClass(predictions: p, labels: f.labels, classCount: 5).map { try #require($0) }
    let spec = try M.specificityPerClass(predictions: p, labels: f.labels, classCount: 5).map { try #require($0) }
    #expect(close(sens, f.sensitivity))
    #expect(close(spec, f.specificity))
    #expect(close(try M.cohenKappa(predictions: p, labels: f.labels), f.kappa))
    #expect(close(try M.cohenKappa(predictions: p, labels: f.labels, classCount: 5, weighting: .quadratic),
                  f.kappa_quadratic))
    #expect(try M.confusionMatrix(predictions: p, labels: f.labels, classCount: 5) == f.confusion)
    #expect(close(try M.expectedCalibrationError(scores: f.scores, labels: f.labels), f.ece))
}

@Test(arguments: ["small", "large"])
func multiLabelMatchesScikitLearn(size: String) throws {
    let all = try Fixture.load()
    let f = size == "small" ? all.multilabel_small : all.multilabel_large
    typealias M = ScalpelMetrics
    #expect(close(try M.aurocPerLabel(scores: f.scores, labels: f.labels), f.auroc_per_label))
    #expect(close(try M.auroc(scores: f.scores, labels: f.labels), f.auroc_macro))
    #expect(close(try #require(try M.aurocSkippingUndefined(scores: f.scores, labels: f.labels)), f.auroc_macro))
    #expect(close(try M.auprcPerLabel(scores: f.scores, labels: f.labels), f.auprc_per_label))
    #expect(close(try M.auprc(scores: f.scores, labels: f.labels), f.auprc_macro))
    #expect(close(try M.accuracy(scores: f.scores, labels: f.labels), f.accuracy))
}
