// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Testing
@testable import ScalpelTraining

/// Paired bootstrap differences between two sets of predictions on the same samples.
struct PairedDifferenceTests {
    static func predictions(task: ClassificationTask = .binary, classes: Int = 2, count: Int = 200, noise: Double,
                            seed: UInt64) -> Predictions {
        // Deterministic pseudo-random numbers in [0, 1).
        func hash(_ i: Int, _ salt: Double) -> Double { let v = sin(Double(i) * 12.9898 + salt) * 43758.5453; return v - v.rounded(.down) }
        let labels = (0..<count).map { [Int(hash($0, 0.5) * Double(classes))] }
        let probabilities = labels.enumerated().map { i, label -> [Double] in
            var row = (0..<classes).map { c in (c == label[0] ? 1.0 : 0.3) + noise * hash(i * classes + c, Double(seed)) }
            let total = row.reduce(0, +)
            row = row.map { $0 / total }
            return row
        }
        return Predictions(task: task, classNames: (0..<classes).map { "c\($0)" }, sampleIDs: (0..<count).map { "s\($0)" },
                           labels: labels, probabilities: probabilities, loss: nil, skipped: [])
    }

    @Test(arguments: [(ClassificationTask.binary, 2), (.multiClass, 4)])
    func valuesAreThoseOfTheMetricReport(_ task: ClassificationTask, _ classes: Int) throws {
        let a = Self.predictions(task: task, classes: classes, noise: 1.5, seed: 1)
        let b = Self.predictions(task: task, classes: classes, noise: 2.5, seed: 2)
        let differences = try PairedDifference.compare(reference: a, candidate: b, resamples: 200, seed: 3)
        #expect(differences.map(\.metric) == ["auroc", "accuracy"])
        let reportA = try MetricReport(a), reportB = try MetricReport(b)
        for d in differences {
            #expect(abs(d.reference - reportA.metrics[d.metric]!.value!) < 1e-12)
            #expect(abs(d.candidate - reportB.metrics[d.metric]!.value!) < 1e-12)
            #expect(abs(d.difference.value! - (d.candidate - d.reference)) < 1e-12)
            let lower = try #require(d.difference.lower), upper = try #require(d.difference.upper)
            #expect(lower <= d.difference.value! && d.difference.value! <= upper)
        }
        // A noisier candidate ranks worse, and the paired interval says so.
        #expect(differences[0].difference.upper! < 0)
    }

    @Test func identicalPredictionsDifferByExactlyZero() throws {
        let a = Self.predictions(noise: 1.5, seed: 1)
        for d in try PairedDifference.compare(reference: a, candidate: a, resamples: 100) {
            #expect(d.difference.value == 0 && d.difference.lower == 0 && d.difference.upper == 0)
        }
    }

    @Test func differentSamplesAreRefused() throws {
        let a = Self.predictions(noise: 1.5, seed: 1)
        var b = a
        b.sampleIDs[3] = "other"
        #expect(throws: TrainingError.self) { try PairedDifference.compare(reference: a, candidate: b) }
    }
}
