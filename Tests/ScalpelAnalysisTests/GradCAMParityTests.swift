// Scalpel — ScalpelAnalysisTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport
import ScalpelModels
@testable import ScalpelAnalysis

/// Grad-CAM and Grad-CAM++ against the `grad-cam` package (pytorch_grad_cam 1.5.7) on a resnet18
/// with deterministic weights, 48 × 64 inputs, three cut points, predicted and given classes.
/// Fixture: scripts/fixtures/fixtures_gradcam.py.
@Suite(.serialized) struct GradCAMParityTests {
    static let fixtures = Fixtures(bundle: .module)
    static let cases: [(name: String, method: CAMMethod, cut: String, given: Bool)] = [
        ("gradcam_layer4", .gradCAM, "layer4", false),
        ("gradcampp_layer4", .gradCAMPlusPlus, "layer4", false),
        ("gradcam_layer3", .gradCAM, "layer3", true),
        ("gradcampp_layer3", .gradCAMPlusPlus, "layer3", true),
        ("gradcam_layer2", .gradCAM, "layer2", false),
        ("gradcampp_layer2", .gradCAMPlusPlus, "layer2", true),
    ]

    static func model() throws -> any Backbone {
        let model = try Architecture.resnet18.makeModel(classCount: 5)
        try DeterministicWeights.apply(to: model)
        model.setMode(.evaluation)
        return model
    }

    @Test(arguments: 0..<cases.count)
    func mapsMatchPytorchGradCAM(_ index: Int) throws {
        let testCase = Self.cases[index]
        let fixture = try Self.fixtures.tensors("gradcam_resnet18")
        let model = try Self.model()
        let input = try fixture.required("input")
        let expectedTargets = try fixture.required("\(testCase.name).targets").hostArray(of: Int64.self).map { Int($0) }
        let explainer = try GradCAM(network: model, cut: testCase.cut, method: testCase.method)
        let result = try explainer.explain(input, classes: testCase.given ? expectedTargets : nil)
        #expect(result.targetClasses == expectedTargets)
        #expect(result.maps.shape == [3, 48, 64])
        assertClose(result.logits, try fixture.required("logits"), rtol: 1e-4, atol: 1e-4, "logits")
        assertClose(result.maps, try fixture.required("\(testCase.name).maps"), rtol: 0, atol: 1e-4, testCase.name)
    }

    @Test func explainingLeavesTheModelUntouched() throws {
        let model = try Self.model()
        let before = try model.stateDict().entries.map { try $0.tensor.clone() }
        let input = try Self.fixtures.tensors("gradcam_resnet18").required("input")
        _ = try GradCAM(network: model, cut: "layer3", method: .gradCAMPlusPlus).explain(input)
        for ((key, tensor), old) in zip(try model.stateDict().entries, before) {
            assertEqual(tensor, old, key)
        }
        for (key, parameter) in model.parameters() {
            #expect(try parameter.gradient() == nil, "\(key) has a gradient")
        }
        #expect(!model.isTraining)
    }
}
