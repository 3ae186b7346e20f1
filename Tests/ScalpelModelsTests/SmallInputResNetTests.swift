// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
@testable import ScalpelModels

/// MedMNIST v2's small-input ResNets (`resnet18_28`, `resnet50_28`): stem, cut points, keys and sizes.
/// Logit parity with PyTorch is in ``ArchitectureParityTests`` (fixtures from scripts/fixtures/models_resnet.py).
@Suite struct SmallInputResNetTests {
    @Test func namesFamilyAndConfig() throws {
        #expect(try Architecture(named: "resnet18_28") == .resnet18Small)
        #expect(try Architecture(named: "RESNET50_28") == .resnet50Small)
        #expect(Architecture.resnet18Small.family == .resnet && Architecture.resnet50Small.isSmallInput)
        #expect(!Architecture.resnet18.isSmallInput)
        let config = Architecture.resnet18Small.pretrainedConfig
        #expect(config.inputSize == 28 && config.cropSize == 28 && config.resizeSize == 28)
        #expect(config.mean == [0.5, 0.5, 0.5] && config.std == [0.5, 0.5, 0.5])
        #expect(config.normalize(pixel: 255, channel: 0) == 1 && config.normalize(pixel: 0, channel: 2) == -1)
    }

    @Test(arguments: [(Architecture.resnet18Small, 512), (.resnet50Small, 2048)])
    func cutPointsHaveStrideOneStem(_ architecture: Architecture, _ channels: Int) throws {
        let model = try architecture.makeModel(classCount: 10)
        let blocks = model.cutPoints(.block)
        #expect(blocks.map(\.name) == ["stem", "layer1", "layer2", "layer3", "layer4"])
        #expect(blocks.map(\.reduction) == [1, 1, 2, 4, 8])
        #expect(blocks.map(\.channels) == [64, channels / 8, channels / 4, channels / 2, channels])
        let standard = try (architecture == .resnet18Small ? Architecture.resnet18 : .resnet50).makeModel(classCount: 10)
        #expect(standard.cutPoints(.block).map(\.reduction) == [4, 4, 8, 16, 32])
        #expect(model.cutPoints(.layer).map(\.name) == standard.cutPoints(.layer).map(\.name))
        let features = try withNoGrad { try model.forwardFeatures(Tensor.zeros([1, 3, 28, 28])) }
        #expect(features.shape == [1, channels, 4, 4])
        let truncated = try model.truncated(at: "layer2")
        #expect(try withNoGrad { try truncated(Tensor.zeros([1, 3, 28, 28])) }.shape == [1, channels / 4, 14, 14])
    }

    @Test(arguments: [(Architecture.resnet18Small, Architecture.resnet18, 11_173_962),
                      (.resnet50Small, .resnet50, 23_520_842)])
    func keysEqualTorchvisionsButTheStem(_ small: Architecture, _ standard: Architecture, _ parameters: Int) throws {
        let ours = try small.makeModel(classCount: 10).stateDict()
        let theirs = try standard.makeModel(classCount: 10).stateDict()
        #expect(ours.keys == theirs.keys)
        for key in ours.keys where key != "conv1.weight" {
            #expect(ours[key]?.shape == theirs[key]?.shape, "\(key)")
        }
        #expect(ours["conv1.weight"]?.shape == [64, 3, 3, 3])
        #expect(theirs["conv1.weight"]?.shape == [64, 3, 7, 7])
        // torchvision's count less the stem's 64·3·(7·7 − 3·3) weights.
        #expect(try small.makeModel(classCount: 10).parameterCount == parameters)
    }

    @Test func slimTopStillWorks() throws {
        let slim = try ResNet(.resnet50Small, classCount: 2, slimTop: .init(firstStage: 4))
        #expect(slim.featureCount == 1024)
        #expect(slim.cutPoints(.block).last?.reduction == 8)
    }
}
