// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelData
import ScalpelMetrics
import Testing
@testable import ScalpelTraining

/// The report's metrics are ScalpelMetrics' (themselves equal to scikit-learn's), and undefined cases
/// follow the documented behaviour.
struct MetricReportTests {
    static func predictions(_ task: ClassificationTask, labels: [[Int]], probabilities: [[Double]],
                            classes: [String]) -> Predictions {
        Predictions(task: task, classNames: classes, sampleIDs: labels.indices.map { "s\($0)" }, labels: labels,
                    probabilities: probabilities, loss: nil, skipped: [])
    }

    @Test func binaryMetricsMatchTheMetricFunctions() throws {
        let scores = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.6]
        let labels = [0, 0, 1, 1, 1, 0, 1, 0]
        let report = try MetricReport(Self.predictions(.binary, labels: labels.map { [$0] },
                                                       probabilities: scores.map { [1 - $0, $0] }, classes: ["no", "yes"]),
                                      resamples: 200, seed: 3)
        #expect(report.metrics["auroc"]?.value == (try ScalpelMetrics.auroc(scores: scores, labels: labels)))
        #expect(report.metrics["auprc"]?.value == (try ScalpelMetrics.auprc(scores: scores, labels: labels)))
        #expect(report.metrics["accuracy"]?.value == (try ScalpelMetrics.accuracy(scores: scores, labels: labels)))
        let auroc = try #require(report.metrics["auroc"])
        #expect(auroc.lower! <= auroc.value! && auroc.value! <= auroc.upper!)
        #expect(report.confusionMatrix == [[3, 1], [1, 3]])
        #expect(report.classCounts == [4, 4])
        // Same seed, same interval.
        let again = try MetricReport(Self.predictions(.binary, labels: labels.map { [$0] },
                                                      probabilities: scores.map { [1 - $0, $0] }, classes: ["no", "yes"]),
                                     resamples: 200, seed: 3)
        #expect(again == report)
    }

    @Test func aClassMissingLeavesAUROCUndefinedWithANote() throws {
        let report = try MetricReport(Self.predictions(.multiClass, labels: [[0], [1], [0], [1]],
                                                       probabilities: [[0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.3, 0.6, 0.1]],
                                                       classes: ["a", "b", "c"]))
        let auroc = try #require(report.metrics["auroc"])
        #expect(auroc.value == nil)
        #expect(auroc.note?.contains("class c has no sample") == true)
        #expect(report.metrics["accuracy"]?.value == 1)
        #expect(report.perClass["auroc"]?[2] == .some(nil))
    }

    @Test func multiLabelMeanSkipsUndefinedLabelsAndSaysSo() throws {
        let labels = [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]]
        let probabilities = [[0.9, 0.1, 0.2], [0.2, 0.8, 0.3], [0.7, 0.6, 0.1], [0.1, 0.2, 0.4]]
        let report = try MetricReport(Self.predictions(.multiLabel, labels: labels, probabilities: probabilities,
                                                       classes: ["x", "y", "z"]))
        let auroc = try #require(report.metrics["auroc"])
        #expect(auroc.value == 1)   // labels x and y are perfectly ranked; z has no positive
        #expect(auroc.note?.contains("undefined (one class only) for z") == true)
    }

    @Test func ordinalTasksUseQuadraticKappa() throws {
        let labels = [0, 1, 2, 2, 1, 0]
        let probabilities: [[Double]] = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1]]
        let report = try MetricReport(Self.predictions(.ordinal, labels: labels.map { [$0] }, probabilities: probabilities,
                                                       classes: ["0", "1", "2"]))
        let predicted = [0, 1, 2, 1, 1, 0]
        #expect(report.metrics["kappa"]?.value == (try ScalpelMetrics.cohenKappa(predictions: predicted, labels: labels,
                                                                                 classCount: 3, weighting: .quadratic)))
    }
}
