// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport
@testable import ScalpelModels

/// Inception-v3 and EfficientNet-Lite beyond parity: cut points and their shapes, the auxiliary head,
/// classifier resets, TF "same" padding, and every architecture's ``PretrainedConfig`` keys.
@Suite(.serialized) struct InceptionLiteTests {
    @Test func inceptionCutPoints() throws {
        let model = try InceptionV3(classCount: 10)
        let names = ["maxpool1", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c",
                     "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"]
        #expect(model.cutPoints(.block).map(\.name) == names)
        #expect(model.cutPoints(.layer).map(\.name) == names)
        #expect(model.cutPoints(.block).map(\.channels) == [64, 192, 256, 288, 288, 768, 768, 768, 768, 768, 1280, 2048, 2048])
        #expect(model.cutPoints(.block).map(\.reduction) == [4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 32, 32, 32])
        model.setMode(.evaluation)
        let input = try Tensor.randn([1, 3, 96, 96], generator: Generator(seed: 1))
        try withNoGrad {
            let cuts = model.cutPoints(.block)
            let outputs = try model.forwardIntermediates(input, at: cuts)
            let spatial = [22, 9, 9, 9, 9, 4, 4, 4, 4, 4, 1, 1, 1]
            for ((cut, output), side) in zip(zip(cuts, outputs), spatial) {
                #expect(output.shape == [1, cut.channels, side, side], "\(cut.name)")
            }
            let truncated = try model.truncated(at: "Mixed_6e")
            #expect(try truncated(input).shape == [1, 768, 4, 4])
            #expect(try truncated.stateDict().keys.allSatisfy { !$0.hasPrefix("AuxLogits") && !$0.hasPrefix("Mixed_7") })
            #expect(try model(input).shape == [1, 10])
        }
        #expect(throws: CutPointError.self) { try model.cutPoint(named: "Mixed_6e.branch1x1") }
    }

    @Test func inceptionAuxiliaryOutputsInTraining() throws {
        let model = try InceptionV3(classCount: 7, generator: Generator(seed: 3))
        model.setMode(.training)
        let input = try Tensor.randn([2, 3, 299, 299], generator: Generator(seed: 2))
        let (logits, auxiliary) = try withNoGrad { try model.forwardWithAuxiliary(input) }
        #expect(logits.shape == [2, 7])
        #expect(auxiliary.shape == [2, 7])
        #expect(try model.auxLogits.conv1.bn.batchesTracked!.item() == 1)
        // Too small for the auxiliary head: thrown, not a crash; the main logits still work.
        let small = try Tensor.randn([2, 3, 96, 96])
        #expect(throws: TorchError.self) { try withNoGrad { try model.forwardWithAuxiliary(small) } }
        #expect(try withNoGrad { try model(small) }.shape == [2, 7])
    }

    @Test func inceptionInitialisationAndReset() throws {
        let model = try InceptionV3(classCount: 10, generator: Generator(seed: 5))
        let state = try model.stateDict()
        let conv = try #require(state["Mixed_5b.branch1x1.conv.weight"])
        // N(0, 0.1²) truncated to [−2, 2] (±20σ: in practice untruncated), AuxLogits.fc N(0, 0.001²).
        #expect(abs(try conv.standardDeviation().item() - 0.1) < 0.005)
        #expect(try conv.abs().max().item() < 0.7)
        #expect(abs(try state["AuxLogits.fc.weight"]!.standardDeviation().item() - 0.001) < 0.0001)
        #expect(try state["AuxLogits.conv1.conv.weight"]!.standardDeviation().item() > 0.09)  // torchvision's quirk
        try model.resetClassifier(classCount: 0)
        #expect(model.classCount == 0)
        #expect(try model.stateDict()["fc.weight"] == nil)
        try model.resetClassifier(classCount: 4)
        #expect(try model.stateDict()["AuxLogits.fc.weight"]?.shape == [4, 768])
        model.setMode(.evaluation)
        let features = try withNoGrad { try model.forwardFeatures(Tensor.randn([1, 3, 80, 80])) }
        #expect(features.shape == [1, 2048, 1, 1])
    }

    @Test func truncatedNormalRedrawsOutliers() throws {
        let tensor = try Tensor.empty([4000])
        try TruncatedNormal.fill(tensor, std: 1, a: -1, b: 1.5, generator: Generator(seed: 4))
        #expect(try tensor.min().item() >= -1 && tensor.max().item() <= 1.5)
        #expect(throws: ArchitectureError.self) {
            try TruncatedNormal.fill(tensor, std: 1, a: 3, b: 4, generator: nil)
        }
    }

    @Test(arguments: [(Architecture.efficientnetLite0, 16), (.efficientnetLite1, 21), (.efficientnetLite2, 21)])
    func liteCutPoints(_ architecture: Architecture, blockCount: Int) throws {
        let model = try #require(try architecture.makeModel(classCount: 10) as? EfficientNetLite)
        let blockCuts = model.cutPoints(.block)
        #expect(blockCuts.count == 9)  // stem, 7 stages, head
        #expect(blockCuts.first?.name == "stem" && blockCuts.last?.name == "head")
        #expect(blockCuts.map(\.reduction) == [2, 2, 4, 8, 16, 16, 32, 32, 32])
        #expect(model.cutPoints(.layer).count == blockCount + 2)
        #expect(model.cutPoints(.layer).last?.channels == 1280)
        model.setMode(.evaluation)
        let input = try Tensor.randn([1, 3, 70, 70])
        try withNoGrad {
            let outputs = try model.forwardIntermediates(input, at: blockCuts)
            let spatial = [35, 35, 18, 9, 5, 5, 3, 3, 3]  // ⌈70 / stride⌉ with "same" padding
            for ((cut, output), side) in zip(zip(blockCuts, outputs), spatial) {
                #expect(output.shape == [1, cut.channels, side, side], "\(cut.name)")
            }
            #expect(try model(input).shape == [1, 10])
            #expect(try model.forwardHead(outputs.last!, preLogits: true).shape == [1, 1280])
        }
        try model.resetClassifier(classCount: 0)
        #expect(try withNoGrad { try model(input) }.shape == [1, 1280])
    }

    @Test func samePaddingPutsTheOddPixelRightAndBottom() throws {
        let conv = try SamePaddedConv2d(1, 1, kernel: 3, stride: 2, generator: nil)
        #expect(conv.padding(height: 64, width: 63) == [1, 1, 0, 1])
        let five = try SamePaddedConv2d(1, 1, kernel: 5, stride: 2, generator: nil)
        #expect(five.padding(height: 16, width: 16) == [1, 2, 1, 2])
        #expect(try five(Tensor.ones([1, 1, 16, 16])).shape == [1, 1, 8, 8])
        #expect(try five.stateDict().keys == ["weight"])
    }

    @Test func pretrainedConfigKeysExistInEveryArchitecture() throws {
        for architecture in Architecture.allCases {
            let model: any Backbone
            do {
                model = try architecture.makeModel(classCount: 10)
            } catch let error as ArchitectureError where error.description.contains("not available in this build yet") {
                continue
            }
            let config = architecture.pretrainedConfig
            let keys = Set(try model.stateDict().keys)
            #expect(keys.contains(config.firstConvKey + ".weight"), "\(architecture.rawValue) \(config.firstConvKey)")
            #expect(try model.stateDict()[config.firstConvKey + ".weight"]?.shape[1] == 3)
            for key in config.classifierKeys {
                #expect(try model.stateDict()[key + ".weight"]?.shape[0] == 10, "\(architecture.rawValue) \(key)")
            }
            #expect(config.cropSize == config.inputSize && config.resizeSize >= config.cropSize)
            #expect(config.mean.count == 3 && config.std.count == 3)
        }
    }

    @Test func liteNormalisationIsTensorFlows() {
        let config = Architecture.efficientnetLite1.pretrainedConfig
        for pixel in [0.0, 127, 200, 255] {
            #expect(config.normalize(pixel: pixel, channel: 0) == (pixel - 127) / 128)
        }
        #expect(config.cropSize == 240 && config.interpolation == .bicubic)
        let inception = Architecture.inceptionV3.pretrainedConfig
        #expect(inception.resizeSize == 342 && inception.cropSize == 299 && inception.batchNormEps == 1e-3)
        #expect(abs(Architecture.resnet50.pretrainedConfig.normalize(pixel: 255, channel: 0) - (1 - 0.485) / 0.229) < 1e-12)
    }
}
