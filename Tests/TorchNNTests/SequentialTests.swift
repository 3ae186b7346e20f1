// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct SequentialTests {
    @Test func smallCNNHasPyTorchsKeysOrderAndShapes() throws {
        let fixture = try LayerCase("cnn")
        let model = try makeSmallCNN()
        try fixture.expectSameKeys(model)
        #expect(fixture.keys.first == "features.0.weight")
        #expect(fixture.keys.last == "classifier.1.bias")
    }

    @Test func smallCNNParityInEvaluation() throws {
        try LayerCase("cnn").expectParity(makeSmallCNN(), mode: .evaluation)
    }

    @Test func smallCNNParityInTraining() throws {
        // Training updates both batch norms' statistics; the dropout mask follows torch.manual_seed(321).
        let model = try makeSmallCNN(dropoutGenerator: Generator(seed: 321))
        try LayerCase("cnn").expectParity(model, mode: .training)
    }

    @Test func childrenAreNumberedLikeNNSequential() throws {
        let sequential = Sequential([Identity(), try Linear(inputFeatures: 2, outputFeatures: 2), ReLU()])
        #expect(sequential.namedChildren.map(\.0) == ["0", "1", "2"])
        #expect(try sequential.stateDict().keys == ["1.weight", "1.bias"])
        #expect(sequential.count == 3)
        #expect(sequential[1] is Linear)
    }

    @Test func namedChildrenLikeAnOrderedDict() throws {
        let features = Sequential(named: [
            ("conv0", try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, bias: false)),
            ("norm0", try BatchNorm2d(featureCount: 2)),
            ("relu0", ReLU()),
        ])
        #expect(try features.stateDict().keys == ["conv0.weight", "norm0.weight", "norm0.bias", "norm0.running_mean",
                                                  "norm0.running_var", "norm0.num_batches_tracked"])
    }

    @Test func replacingAHeadKeepsItsKey() throws {
        let model = try makeSmallCNN()
        let classifier = try #require(model.namedChildren.last?.1 as? Sequential)
        classifier.replaceLayer(at: 1, with: try Linear(inputFeatures: 16, outputFeatures: 2))
        let state = try model.stateDict()
        #expect(state["classifier.1.weight"]?.shape == [2, 16])
        #expect(try model(Tensor.zeros([2, 3, 12, 12])).shape == [2, 2])
    }

    @Test func aLayerErrorPropagatesAsTorchError() throws {
        let model = try makeSmallCNN()
        #expect(throws: TorchError.self) { try model(Tensor.zeros([2, 4, 12, 12])) }   // 4 channels, not 3
        #expect(throws: TorchError.self) { try model(Tensor.zeros([3, 12, 12])) }      // no batch axis
    }
}
