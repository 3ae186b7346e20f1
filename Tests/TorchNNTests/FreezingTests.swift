// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct FreezingTests {
    @Test func freezeByPrefixFreezesExactlyThoseParameters() throws {
        let model = try makeSmallCNN()
        try model.freeze(matching: .prefix("features."))
        let frozen = model.parameters().filter { !$0.tensor.requiresGradient }.map(\.key)
        #expect(frozen == ["features.0.weight", "features.1.weight", "features.1.bias", "features.4.weight",
                           "features.4.bias", "features.5.weight", "features.5.bias"])
        #expect(model.trainableParameters().map(\.key) == ["classifier.1.weight", "classifier.1.bias"])
        #expect(model.trainableParameterCount == 16 * 5 + 5)
        #expect(model.buffers().allSatisfy { !$0.tensor.requiresGradient })
    }

    @Test func prefixesAreModulePaths() throws {
        let model = try makeSmallCNN()
        try model.freeze(matching: .prefix("features.1"))   // not features.10…, and with or without the dot
        #expect(model.parameters().filter { !$0.tensor.requiresGradient }.map(\.key)
                == ["features.1.weight", "features.1.bias"])
        #expect(ParameterFilter.prefix("layer1").matches("layer1.0.conv1.weight"))
        #expect(!ParameterFilter.prefix("layer1").matches("layer10.weight"))
        #expect(ParameterFilter.prefix("layer1.").matches("layer1.weight"))
        #expect(ParameterFilter.prefix("fc.weight").matches("fc.weight"))
    }

    @Test func linearProbeThenUnfreeze() throws {
        let model = try makeSmallCNN()
        try model.freeze(matching: .all)
        #expect(model.trainableParameters().isEmpty)
        try model.unfreeze(matching: .names(["classifier.1.weight", "classifier.1.bias"]))
        #expect(model.trainableParameters().map(\.key) == ["classifier.1.weight", "classifier.1.bias"])
        try model.unfreeze(matching: .prefixes(["features.4", "features.5"]))
        #expect(model.trainableParameters().count == 6)
    }

    @Test func frozenParametersGetNoGradient() throws {
        let model = try makeSmallCNN()
        try model.freeze(matching: .prefix("features"))
        model.setMode(.evaluation)
        let loss = try model(Tensor.randn([2, 3, 12, 12], generator: Generator(seed: 3))).sum()
        try loss.backward()
        for (key, tensor) in model.parameters() {
            #expect((try tensor.gradient() != nil) == key.hasPrefix("classifier"), "\(key)")
        }
    }

    @Test func filterMatchingNothingThrows() throws {
        let model = try makeSmallCNN()
        let error = try #require(throws: ParameterFilterError.self) { try model.freeze(matching: .prefix("layer4")) }
        #expect(error.unmatched == ["layer4"])
        #expect(error.description.contains("freeze(matching:): 'layer4' matches no parameter"))
        #expect(error.description.contains("features.0.weight"))
        #expect(throws: ParameterFilterError.self) { try model.unfreeze(matching: .names(["fc.weight"])) }
        #expect(model.trainableParameters().count == model.parameters().count)
    }

    @Test func aPartlyUnmatchedFilterThrowsAndChangesNothing() throws {
        let model = try makeSmallCNN()
        let error = try #require(throws: ParameterFilterError.self) {
            try model.freeze(matching: .prefixes(["features", "classifer"]))   // typo
        }
        #expect(error.unmatched == ["classifer"])
        #expect(model.trainableParameters().count == model.parameters().count)
    }

    @Test func filteringAModelWithoutParametersThrows() {
        #expect(throws: ParameterFilterError.self) { try ReLU().freeze(matching: .all) }
    }
}

@Suite struct ModeTests {
    @Test func modePropagatesToEveryModeDependentChild() throws {
        let model = try makeSmallCNN()
        let dependents = model.namedModules().compactMap { $0.module as? any ModeDependent }
        #expect(dependents.count == 6)   // three Sequentials, two BatchNorm2d and a Dropout
        #expect(model.isTraining)
        model.setMode(.evaluation)
        #expect(!model.isTraining)
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.setMode(.training)
        #expect(model.namedModules().compactMap { $0.module as? any ModeDependent }.allSatisfy { $0.mode == .training })
    }

    @Test func aSubtreeCanStayInEvaluation() throws {
        let model = try makeSmallCNN()
        model.setMode(.training)
        let features = try #require(model.namedChildren.first?.1)
        features.setMode(.evaluation)   // linear probe: backbone batch norms keep their statistics
        let batchNorms = model.namedModules().compactMap { $0.module as? BatchNorm2d }
        #expect(batchNorms.count == 2)
        #expect(batchNorms.allSatisfy { $0.mode == .evaluation })
        #expect(model.isTraining)
        let dropout = try #require(model.namedModules().compactMap { $0.module as? Dropout }.first)
        #expect(dropout.mode == .training)
    }

    @Test func modulesWithoutModeDependentPartsReportNotTraining() throws {
        let conv = try Conv2d(inputChannels: 1, outputChannels: 1, kernelSize: 1)
        #expect(!conv.isTraining)
        #expect(try TinyBlock().isTraining)
    }
}
