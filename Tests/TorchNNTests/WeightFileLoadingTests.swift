// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct WeightFileLoadingTests {
    func makeModel(classCount: Int = 3) throws -> Sequential {
        Sequential([try Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3, bias: false),
                    try BatchNorm2d(featureCount: 4), ReLU(), AdaptiveAvgPool2d(outputSize: 1), Flatten(),
                    try Linear(inputFeatures: 4, outputFeatures: classCount)])
    }

    func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-\(UUID().uuidString).safetensors")
    }

    @Test func savedWeightsLoadIntoAFreshModel() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let trained = try makeModel()
        try trained.saveWeights(to: url)
        let fresh = try makeModel()
        let report = try fresh.loadWeights(from: url)
        #expect(report.isComplete)
        for ((key, a), (_, b)) in zip(trained.namedTensors(), fresh.namedTensors()) { assertEqual(a, b, key) }
    }

    @Test func weightsOfAnotherArchitectureNameTheFileAndTheFirstMismatch() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try makeModel(classCount: 3).saveWeights(to: url)
        let other = try makeModel(classCount: 5)
        let error = #expect(throws: StateDictError.self) { try other.loadWeights(from: url) }
        #expect(error?.source == url.path)
        #expect(error?.mismatches.first?.key == "5.weight")
        #expect(error?.description.hasPrefix(url.path) == true)
    }

    @Test func aMissingFileIsNamed() throws {
        let url = temporaryURL()
        let error = #expect(throws: SerializationError.self) { try makeModel().loadWeights(from: url) }
        #expect(error?.source == url.path)
    }
}
