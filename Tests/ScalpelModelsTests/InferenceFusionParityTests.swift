// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelModels
@testable import TorchNN

/// The eval-mode fast path (``InferenceFusion``) on every architecture's parity fixture: logits and
/// gradients with respect to the input equal the unfused model's, and the state dict is untouched.
@Suite(.serialized) struct InferenceFusionParityTests {
    static let fixtures = ArchitectureParityTests.fixtures

    func evaluationModel(_ architecture: Architecture) throws -> (any Backbone, Tensor) {
        let fixture = try Self.fixtures.tensors(architecture.rawValue)
        let model = try architecture.makeModel(classCount: 10)
        try DeterministicWeights.apply(to: model)
        model.setMode(.evaluation)
        return (model, try fixture.required("input").channelsLast())
    }

    /// Convolutions holding a folded copy (including those inside "same"-padding wrappers).
    func foldedCount(_ model: any Backbone) -> Int {
        model.namedModules().filter {
            (($0.module as? Conv2d) ?? ($0.module as? SamePaddedConv2d)?.conv)?.folded != nil
        }.count
    }

    @Test(arguments: ArchitectureParityTests.covered)
    func fusedLogitsEqualUnfused(_ architecture: Architecture) throws {
        let (model, input) = try evaluationModel(architecture)
        let before = try model.stateDict().entries.map { ($0.key, try $0.tensor.clone()) }
        let unfused = try InferenceFusion.with(enabled: false) { try withNoGrad { try model(input) } }
        let fused = try withNoGrad { try model(input) }
        let scale = try unfused.abs().max().item()
        assertClose(fused, unfused, rtol: 1e-4, atol: 1e-4 * scale, "\(architecture) fused logits")
        let folds = foldedCount(model)
        #expect(folds > 0 || architecture.rawValue.hasPrefix("vgg"), "\(architecture): nothing was fused")
        let after = try model.stateDict()
        #expect(after.entries.map(\.key) == before.map(\.0))
        for (entry, original) in zip(after.entries, before) { assertEqual(entry.tensor, original.1, entry.key) }
        model.setMode(.training)
        try withNoGrad { _ = try model(input) }
        let kept = foldedCount(model)
        #expect(kept == 0, "\(architecture): training kept a fold")
    }

    /// One architecture per family for the (costlier) gradient check; each family's blocks are one code path.
    static let gradientArchitectures: [Architecture] = ArchitectureParityTests.covered.filter {
        [.resnet18, .resnet50, .densenet121, .vgg11BN, .inceptionV3, .efficientnetB0, .mobilenetV3Large,
         .efficientnetLite0].contains($0)
    }

    @Test(arguments: gradientArchitectures)
    func fusedInputGradientsEqualUnfused(_ architecture: Architecture) throws {
        let (model, input) = try evaluationModel(architecture)
        try model.freeze(matching: .all)
        func inputGradient(fused: Bool) throws -> Tensor {
            let x = try input.detached().requiringGradient()
            return try InferenceFusion.with(enabled: fused) {
                let logits = try model(x)
                let loss = try (logits * Tensor.arange(to: Double(logits.shape[1]), dtype: logits.dtype)).sum()
                return try Torch.gradients(of: loss, withRespectTo: [x])[0]
            }
        }
        let unfused = try inputGradient(fused: false)
        let fused = try inputGradient(fused: true)
        let scale = try unfused.abs().max().item()
        assertClose(fused, unfused, rtol: 1e-4, atol: 1e-4 * scale, "\(architecture) input gradient")
    }
}
