// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport
@testable import ScalpelModels

/// Every architecture against torchvision (or the reference module for EfficientNet-Lite): the same
/// keys, shapes and dtypes in the same order, and the same logits and features for the same
/// (deterministic) weights and input, in eval and train mode. Fixtures: scripts/fixtures/fixtures_models.py.
@Suite(.serialized) struct ArchitectureParityTests {
    static let fixtures = Fixtures(bundle: .module)

    /// Architectures with a committed fixture.
    static var covered: [Architecture] {
        Architecture.allCases.filter {
            FileManager.default.fileExists(atPath: fixtures.url("\($0.rawValue).safetensors").path)
        }
    }

    func manifest(_ architecture: Architecture) throws -> [[String]] {
        let data = try Data(contentsOf: Self.fixtures.url("\(architecture.rawValue).keys.json"))
        let rows = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        return rows.map { row in ["\(row[0])", "\(row[1] as! [Int])", "\(row[2])"] }
    }

    @Test(arguments: covered)
    func stateDictMatchesTorchvision(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 10)
        let ours = try model.stateDict().entries.map { ["\($0.key)", "\($0.tensor.shape)", "\($0.tensor.dtype)"] }
            .map { [$0[0], $0[1], $0[2] == "int64" ? "int64" : $0[2]] }
        let expected = try manifest(architecture)
        #expect(ours.count == expected.count)
        for (mine, theirs) in zip(ours, expected) where mine != theirs {
            Issue.record("first difference: \(mine) vs torchvision \(theirs)")
            break
        }
    }

    @Test(arguments: covered)
    func logitsAndFeaturesMatchTorchvision(_ architecture: Architecture) throws {
        let fixture = try Self.fixtures.tensors(architecture.rawValue)
        let model = try architecture.makeModel(classCount: 10)
        try DeterministicWeights.apply(to: model)
        let input = try fixture.required("input")
        // Train-mode batch norm over a batch of 2 amplifies rounding, and the reduction order follows the
        // thread count: use the fixtures' 2 threads (scripts/fixtures/make_fixtures.py), whatever ran before.
        let callerThreads = TorchRuntime.threadCount
        try TorchRuntime.configure(threads: 2)
        defer { try? TorchRuntime.configure(threads: callerThreads) }
        try withNoGrad {
            model.setMode(.evaluation)
            let features = try model.forwardFeatures(input)
            let logits = try model.forwardHead(features, preLogits: false)
            let scale = try fixture.required("logits_eval").abs().max().item()
            assertClose(logits, try fixture.required("logits_eval"), rtol: 1e-4, atol: 1e-4 * scale, "eval logits")
            let featureScale = try fixture.required("features_eval").abs().max().item()
            assertClose(features, try fixture.required("features_eval"), rtol: 1e-4, atol: 1e-4 * featureScale,
                        "eval features")
            model.setMode(.training)
            try TorchRuntime.configure(seed: 7)
            let trainLogits = try model(input)
            let trainScale = try fixture.required("logits_train").abs().max().item()
            assertClose(trainLogits, try fixture.required("logits_train"), rtol: 1e-4, atol: 1e-4 * trainScale,
                        "train logits")
        }
    }
}
