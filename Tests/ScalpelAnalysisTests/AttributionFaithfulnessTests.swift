// Scalpel — ScalpelAnalysisTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport
import ScalpelModels
@testable import ScalpelAnalysis

/// A network that looks only at the top-left 8 × 8 pixels: logits `[s, −s]` with `s` 4 × their mean.
final class TopLeftModel: Layer {
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let score = try input.slice(axis: 2, start: 0, end: 8).slice(axis: 3, start: 0, end: 8).mean(axes: [1, 2, 3]) * 4
        return try score.unsqueezed(axis: 1) * Tensor([Float(1), -1], shape: [1, 2])
    }
}

/// Deletion/insertion curves and the model-randomisation check.
@Suite(.serialized) struct AttributionFaithfulnessTests {
    @Test func areaIsTheTrapezoidRule() {
        let curves = DeletionInsertion.Curves(deletion: [1, 0.5, 0], insertion: [0, 1, 1, 1])
        #expect(abs(curves.deletionArea - 0.5) < 1e-12)
        #expect(abs(curves.insertionArea - 5.0 / 6) < 1e-12)
    }

    @Test func aFaithfulMapDeletesFasterAndInsertsFasterThanItsOpposite() throws {
        let images = try Tensor.ones([1, 1, 16, 16])
        var good = [Float](repeating: 0, count: 256)
        for row in 0..<8 { for column in 0..<8 { good[row * 16 + column] = 1 + Float(row * 8 + column) / 64 } }
        let goodMap = try Tensor(good, shape: [1, 16, 16])
        let badMap = try 2 - goodMap
        let protocolUnderTest = try DeletionInsertion(steps: 8, baseline: 0, batchSize: 3)
        let model = TopLeftModel()
        let faithful = try protocolUnderTest.curves(network: model, images: images, maps: goodMap, classes: [0])[0]
        let opposite = try protocolUnderTest.curves(network: model, images: images, maps: badMap, classes: [0])[0]
        #expect(faithful.deletion.count == 9)
        let full = 1 / (1 + exp(-8.0))   // softmax of [4, −4]
        #expect(abs(faithful.deletion[0] - full) < 1e-6 && abs(faithful.insertion[8] - full) < 1e-6)
        #expect(abs(faithful.deletion[8] - 0.5) < 1e-6 && abs(faithful.insertion[0] - 0.5) < 1e-6)
        // A quarter of the pixels (two steps of eight) carries the whole score.
        #expect(abs(faithful.deletion[2] - 0.5) < 1e-6)
        #expect(abs(opposite.deletion[6] - full) < 1e-6)
        #expect(faithful.deletionArea < opposite.deletionArea - 0.2)
        #expect(faithful.insertionArea > opposite.insertionArea + 0.2)
    }

    @Test func badOptionsAreNamed() throws {
        #expect(throws: AttributionError.self) { try DeletionInsertion(steps: 0) }
        #expect(throws: AttributionError.self) { try DeletionInsertion(baseline: .nan) }
        let check = try DeletionInsertion()
        #expect(throws: AttributionError.self) {
            try check.curves(network: TopLeftModel(), images: Tensor.ones([1, 1, 16, 16]), maps: Tensor.ones([1, 8, 8]), classes: [0])
        }
    }

    @Test func spearmanKnownAnswers() throws {
        #expect(RandomisationCheck.averageRanks([3, 1, 1, 2]) == [4, 1.5, 1.5, 3])
        let x = try Tensor([Float(1), 2, 3, 4, 5], shape: [1, 5])
        let y = try Tensor([Float(5), 6, 7, 8, 7], shape: [1, 5])
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic
        #expect(abs(try RandomisationCheck.rankCorrelations(x, y)[0] - 0.8207826816681233) < 1e-12)
        #expect(abs(try RandomisationCheck.rankCorrelations(x, x)[0] - 1) < 1e-12)
    }

    @Test func mapsChangeWhenTheTopLayersAreReinitialised() throws {
        func model() throws -> any Backbone {
            let model = try Architecture.resnet18.makeModel(classCount: 5)
            try DeterministicWeights.apply(to: model)
            model.setMode(.evaluation)
            return model
        }
        let trained = try model(), randomised = try model()
        let cut = try trained.cutPoint(named: "layer3")
        let keys = try RandomisationCheck.reinitialiseTop(of: randomised, above: cut, generator: try Generator(seed: 9))
        #expect(keys.contains("fc.weight") && keys.contains("layer4.1.conv2.weight"))
        #expect(!keys.contains { $0.hasPrefix("layer3") || $0.hasPrefix("conv1") })
        let images = try Tensor.randn([3, 3, 48, 48], generator: try Generator(seed: 10))
        for method in CAMMethod.allCases {
            let before = try GradCAM(network: trained, cut: cut, method: method).explain(images, classes: [0, 1, 2])
            let after = try GradCAM(network: randomised, cut: cut, method: method).explain(images, classes: [0, 1, 2])
            let again = try GradCAM(network: trained, cut: cut, method: method).explain(images, classes: [0, 1, 2])
            let changed = try RandomisationCheck.rankCorrelations(before.maps, after.maps)
            let same = try RandomisationCheck.rankCorrelations(before.maps, again.maps)
            #expect(same.allSatisfy { $0 > 0.9999 }, "\(method): \(same)")
            // Measured here: Grad-CAM++ about 0.90–0.95, Grad-CAM lower (Grad-CAM++'s positive-gradient
            // weighting follows the activations more than the weights, as Adebayo et al. saw for some methods).
            // NaN: the randomised map went constant (all zero after the ReLU), a change too.
            #expect(changed.allSatisfy { !($0 >= 0.98) }, "\(method): \(changed)")
            #expect(try (before.maps - after.maps).abs().max().item() > 0.1, "\(method)")
        }
    }
}
