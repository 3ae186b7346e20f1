// Scalpel — ScalpelAnalysisTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelAnalysis

/// The RandomState(0) case of ANALYSES.md §(b): y = randint(0, 3, 300), f = means[y] + randn(300, 32).
private struct TransferCase {
    let features: Tensor, noise: Tensor, probabilities: Tensor
    let labels: [Int]

    init() throws {
        let tensors = try AnalysisAnswers.fixtures.tensors("transferability")
        features = try tensors.required("features")
        noise = try tensors.required("noise")
        probabilities = try tensors.required("probabilities")
        labels = try tensors.required("labels").hostArray(of: Int64.self).map(Int.init)
    }
}

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }

@Suite("Transferability scores")
struct TransferabilityTests {
    @Test func knownAnswers() throws {
        let expected = try AnalysisAnswers.load().transferability
        let data = try TransferCase()
        let logme = try LogME.score(features: data.features, labels: data.labels)
        #expect(close(logme, -0.366969, 5e-7) && close(logme, expected.logme), "LogME \(logme)")
        let noise = try LogME.score(features: data.noise, labels: data.labels)
        #expect(close(noise, -0.869062, 5e-7) && close(noise, expected.logme_noise), "LogME on noise \(noise)")
        let leep = try LEEP.score(sourceProbabilities: data.probabilities, labels: data.labels)
        #expect(close(leep, -0.878917, 5e-7) && close(leep, expected.leep), "LEEP \(leep)")
        let nce = try NCE.score(sourceProbabilities: data.probabilities, labels: data.labels)
        #expect(close(nce, -0.903086, 5e-7) && close(nce, expected.nce), "NCE \(nce)")
        let h = try HScore.score(features: data.features, labels: data.labels)
        #expect(close(h, 1.502168, 5e-7) && close(h, expected.h_score), "H-score \(h)")
        #expect(close(try GBC.score(features: data.features, labels: data.labels), expected.gbc_diagonal))
        #expect(close(try GBC.score(features: data.features, labels: data.labels, covariance: .spherical), expected.gbc_spherical))
    }

    @Test func logMEWithFewerImagesThanFeatures() throws {
        let expected = try AnalysisAnswers.load().transferability
        let data = try TransferCase()
        let wide = try LogME.score(features: try data.features.slice(axis: 0, start: 0, end: 20), labels: Array(data.labels[..<20]))
        #expect(close(wide, expected.logme_wide, 1e-8), "LogME N < D \(wide)")
    }

    @Test func informativeFeaturesScoreAboveNoise() throws {
        let data = try TransferCase()
        #expect(try HScore.score(features: data.features, labels: data.labels)
                > HScore.score(features: data.noise, labels: data.labels))
        #expect(try GBC.score(features: data.features, labels: data.labels)
                > GBC.score(features: data.noise, labels: data.labels))
    }

    @Test func weightedKendallTauMatchesScipy() throws {
        for (index, item) in try AnalysisAnswers.load().transferability.tau_cases.enumerated() {
            #expect(close(try WeightedKendallTau.tau(item.x, item.y), item.tau, 1e-12), "case \(index)")
        }
        #expect(close(try WeightedKendallTau.tau([1, 2, 3, 4], [10, 20, 30, 40]), 1, 1e-12))
        #expect(close(try WeightedKendallTau.tau([1, 2, 3, 4], [4, 3, 2, 1]), -1, 1e-12))
    }

    @Test func badInput() throws {
        let data = try TransferCase()
        #expect(throws: TransferabilityError.self) { try LogME.score(features: data.features, labels: Array(data.labels[..<10])) }
        #expect(throws: TransferabilityError.self) { try HScore.score(features: data.features, labels: Array(repeating: 1, count: 300)) }
        #expect(throws: TransferabilityError.self) { try GBC.score(features: data.features, labels: [-1] + Array(data.labels[1...])) }
        #expect(throws: TransferabilityError.self) { try LEEP.score(sourceProbabilities: try data.probabilities - 1, labels: data.labels) }
        #expect(throws: TransferabilityError.self) { try WeightedKendallTau.tau([1, 2], [1]) }
    }
}
