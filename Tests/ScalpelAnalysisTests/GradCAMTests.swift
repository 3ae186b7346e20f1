// Scalpel — ScalpelAnalysisTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport
import ScalpelModels
@testable import ScalpelAnalysis

/// Properties of Grad-CAM and Grad-CAM++ that hold for any model: batch independence, scaling,
/// and the bad inputs.
@Suite(.serialized) struct GradCAMTests {
    static func model() throws -> any Backbone {
        let model = try Architecture.resnet18.makeModel(classCount: 4, generator: try Generator(seed: 5))
        model.setMode(.evaluation)
        return model
    }

    @Test(arguments: CAMMethod.allCases)
    func aMapDoesNotDependOnTheOtherImagesInTheBatch(_ method: CAMMethod) throws {
        let model = try Self.model()
        let images = try Tensor.randn([5, 3, 40, 40], generator: try Generator(seed: 6))
        let explainer = try GradCAM(network: model, cut: "layer3", method: method)
        let batch = try explainer.explain(images, classes: [0, 1, 2, 3, 0])
        for index in [0, 3] {
            let alone = try explainer.explain(images.slice(axis: 0, start: index, end: index + 1), classes: [batch.targetClasses[index]])
            assertClose(try batch.maps.select(axis: 0, index: index), try alone.maps.select(axis: 0, index: 0), rtol: 0, atol: 1e-5,
                        "\(method) image \(index) alone")
        }
        // The same image beside different company.
        let shuffled = try images.indexSelect(axis: 0, indices: Tensor([Int64(3), 4, 0, 1, 2]))
        let other = try explainer.explain(shuffled, classes: [3, 0, 0, 1, 2])
        assertClose(try other.maps.select(axis: 0, index: 2), try batch.maps.select(axis: 0, index: 0), rtol: 0, atol: 1e-5,
                    "\(method) image 0 in another batch")
    }

    @Test func mapsAreScaledToTheUnitIntervalAtInputSize() throws {
        let model = try Self.model()
        let images = try Tensor.randn([2, 3, 33, 47], generator: try Generator(seed: 7))
        let result = try GradCAM(network: model, cut: "layer4").explain(images)
        #expect(result.maps.shape == [2, 33, 47])
        #expect(result.rawMaps.shape[0] == 2 && result.rawMaps.shape[1] == 2)
        #expect(try result.maps.min().item() >= 0)
        #expect(try result.maps.max().item() <= 1)
        #expect(try result.rawMaps.min().item() >= 0)
    }

    @Test func scalingMatchesTheReferenceFormula() throws {
        let maps = try Tensor([Float(0), 2, 4, 6, 1, 1, 1, 1], shape: [2, 2, 2])
        let scaled = try CAMScaling.minMaxScaled(maps).hostArray(of: Float.self)
        #expect(abs(scaled[1] - Float(2.0 / (6 + 1e-7))) < 1e-6)
        #expect(scaled[4...].allSatisfy { $0 == 0 })   // a constant map is all zeros, not NaN
    }

    @Test func badInputIsNamed() throws {
        let model = try Self.model()
        let cutError = #expect(throws: CutPointError.self) { try GradCAM(network: model, cut: "layer9") }
        #expect(cutError?.description.contains("layer4") == true)
        let explainer = try GradCAM(network: model, cut: "layer4")
        let images = try Tensor.randn([2, 3, 32, 32])
        let classError = #expect(throws: AttributionError.self) { try explainer.explain(images, classes: [0, 4]) }
        #expect(classError?.description.contains("class 4") == true)
        #expect(throws: AttributionError.self) { try explainer.explain(images, classes: [0]) }
        #expect(throws: AttributionError.self) { try explainer.explain(try Tensor.randn([3, 32, 32])) }
        model.setMode(.training)
        #expect(throws: AttributionError.self) { try explainer.explain(images) }
    }
}
