// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport
@testable import ScalpelModels

/// ``Backbone/loadPretrained(from:classCount:inputChannels:generator:)`` on ResNet-18: first-conv
/// adaptation, classifier reset, exact reports, and refusal of another architecture's file.
@Suite(.serialized) struct WeightsLoaderTests {
    /// A randomly initialised ResNet-18 saved as safetensors, and its state dict.
    func pretrainedFile(_ architecture: Architecture = .resnet18, seed: UInt64 = 11) throws -> (URL, StateDict) {
        let source = try architecture.makeModel(classCount: 1000, generator: Generator(seed: seed))
        for (key, tensor) in source.namedTensors() where key.hasSuffix("running_mean") || key.hasSuffix("running_var") {
            try tensor.uniformInPlace(low: 0.5, high: 1.5, generator: Generator(seed: 3))
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pretrained-\(UUID().uuidString).safetensors")
        try source.saveWeights(to: url)
        return (url, try SafeTensors.read(contentsOf: url).tensors)
    }

    @Test func adaptsTheFirstConvAndResetsTheClassifier() throws {
        let (url, file) = try pretrainedFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Architecture.resnet18.makeModel(classCount: 1000, generator: Generator(seed: 99))
        let report = try model.loadPretrained(from: url, classCount: 3, inputChannels: 1, generator: Generator(seed: 5))

        let loadedWeights = try model.stateDict()
        assertClose(try #require(loadedWeights["conv1.weight"]),
                    try #require(file["conv1.weight"]).sum(axes: [1], keepDimensions: true), rtol: 1e-6, atol: 1e-7)
        #expect(loadedWeights["conv1.weight"]?.shape == [64, 1, 7, 7])
        #expect((try model.firstConvolution(at: "conv1.weight") as? Conv2d)?.inputChannels == 1)
        #expect(loadedWeights["fc.weight"]?.shape == [3, 512])
        #expect(loadedWeights["fc.bias"]?.shape == [3])
        #expect(model.classCount == 3)
        for (key, tensor) in loadedWeights.entries where !["conv1.weight", "fc.weight", "fc.bias"].contains(key) {
            assertEqual(tensor, try #require(file[key]), key)
        }
        #expect(report.adapted == ["conv1.weight"])
        #expect(report.reset == ["fc.weight", "fc.bias"])
        #expect(report.loaded == loadedWeights.keys.filter { !["conv1.weight", "fc.weight", "fc.bias"].contains($0) })
        #expect(report.defaulted.isEmpty && report.discarded.isEmpty && report.renamed.isEmpty)
        #expect(report.source == url.path)
        #expect(report.description.contains("adapted conv1.weight; reset fc.weight, fc.bias"))
        model.setMode(.evaluation)
        #expect(try withNoGrad { try model(Tensor.randn([2, 1, 32, 32])) }.shape == [2, 3])  // grey-scale input works

        // The adapted network takes grey images.
        model.setMode(.evaluation)
        let logits = try model(Tensor.randn([2, 1, 64, 64], generator: Generator(seed: 1)))
        #expect(logits.shape == [2, 3])
    }

    @Test func sameTaskLoadsEverything() throws {
        let (url, file) = try pretrainedFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Architecture.resnet18.makeModel()
        let report = try model.loadPretrained(from: url)
        #expect(report.loaded == file.keys && report.adapted.isEmpty && report.reset.isEmpty)
        for (key, tensor) in try model.stateDict().entries {
            assertEqual(tensor, try #require(file[key]), key)
        }
    }

    @Test func otherChannelCountsRepeatAndRescale() throws {
        let (url, file) = try pretrainedFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Architecture.resnet18.makeModel(classCount: 10)
        let report = try model.loadPretrained(from: url, inputChannels: 4)
        let rgb = try #require(file["conv1.weight"])
        let expected = try Tensor.cat([rgb, rgb.slice(axis: 1, start: 0, end: 1)], axis: 1) * 0.75
        assertClose(try #require(model.stateDict()["conv1.weight"]), expected, rtol: 1e-6, atol: 1e-7)
        #expect(report.adapted == ["conv1.weight"] && report.reset == ["fc.weight", "fc.bias"])
        #expect(model.classCount == 10)
    }

    @Test func identityHeadDiscardsTheClassifier() throws {
        let (url, _) = try pretrainedFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Architecture.resnet18.makeModel()
        let report = try model.loadPretrained(from: url, classCount: 0)
        #expect(report.discarded == ["fc.weight", "fc.bias"] && report.reset.isEmpty)
        model.setMode(.evaluation)
        let features = try model(Tensor.randn([1, 3, 32, 32]))
        #expect(features.shape == [1, 512])
    }

    @Test func olderFilesWithoutBatchCountersLoad() throws {
        let (url, file) = try pretrainedFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let old = try StateDict(file.entries.filter { !$0.key.hasSuffix("num_batches_tracked") }.map { ($0.key, $0.tensor) })
        let model = try Architecture.resnet18.makeModel()
        let report = try model.loadPretrained(old, source: "old.pth")
        #expect(report.defaulted.count == 20 && report.defaulted.first == "bn1.num_batches_tracked")
        #expect(report.loaded.count + report.defaulted.count == file.count)
    }

    @Test func anotherArchitecturesFileNamesTheKeys() throws {
        let (url, _) = try pretrainedFile(.resnet34)
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Architecture.resnet18.makeModel()
        let before = try #require(model.stateDict()["conv1.weight"]).clone()
        let error = try #require(throws: StateDictError.self) {
            try model.loadPretrained(from: url, classCount: 2, inputChannels: 1)
        }
        #expect(error.source == url.path)
        #expect(error.description.contains("unexpected key(s): layer1.2.conv1.weight"))
        #expect(error.unexpectedKeys.count == 8 * 12)  // 8 extra BasicBlocks of 12 keys
        // Nothing changed.
        #expect(model.classCount == 1000)
        assertEqual(try #require(model.stateDict()["conv1.weight"]), before)
    }

    @Test func adaptInputConvFollowsTimm() throws {
        let weight = try Tensor.randn([4, 6, 3, 3], generator: Generator(seed: 2))
        // Six channels (two RGB triples) to one: each triple summed, then the triples' sums kept per channel pair.
        let one = try PretrainedLoader.adaptInputConv(weight, inputChannels: 1)
        #expect(one.shape == [4, 2, 3, 3])
        #expect(throws: ArchitectureError.self) { try PretrainedLoader.adaptInputConv(weight, inputChannels: 4) }
        #expect(try PretrainedLoader.adaptInputConv(weight, inputChannels: 6) === weight)
    }

    @Test func legacyDenseNetFileLoads() throws {
        let source = try Architecture.densenet121.makeModel(generator: Generator(seed: 4))
        let legacy = try StateDict(source.stateDict().entries.map { key, tensor in
            // torchvision's published DenseNet files: `norm.1.weight` for `norm1.weight`, and no batch counters.
            (key.replacingOccurrences(of: #"\.(norm|relu|conv)([12])\."#, with: ".$1.$2.", options: .regularExpression), tensor)
        }.filter { !$0.0.hasSuffix("num_batches_tracked") })
        let model = try Architecture.densenet121.makeModel(generator: Generator(seed: 8))
        let report = try model.loadPretrained(legacy, source: "densenet121-legacy.pth", classCount: 2, inputChannels: 1)
        #expect(report.renamed.first == .init(from: "features.denseblock1.denselayer1.norm.1.weight",
                                              to: "features.denseblock1.denselayer1.norm1.weight"))
        #expect(report.renamed.count == 58 * 10)  // 58 dense layers: norm1 (4 tensors), conv1, norm2 (4), conv2
        #expect(report.adapted == ["features.conv0.weight"] && report.reset == ["classifier.weight", "classifier.bias"])
        let loaded = try model.stateDict()
        for (key, tensor) in try source.stateDict().entries where report.loaded.contains(key) {
            assertEqual(try #require(loaded[key]), tensor, key)
        }
    }

    /// The real EfficientNet-Lite0 ImageNet file (legacy `.pth`), where `scripts/setup` put it, adapted
    /// to a two-class grey-scale task.
    @Test func liteZeroImageNetFileAdapts() throws {
        let entry = try WeightsRegistry.defaultEntry(for: .efficientnetLite0)
        let store = WeightStore(folder: FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID())"),
                                sitePackages: [])
        guard let file = try store.locate(entry),
              let model = try? Architecture.efficientnetLite0.makeModel() else { return }  // not set up / not built
        let report = try model.loadPretrained(from: file, classCount: 2, inputChannels: 1)
        #expect(report.adapted == ["_conv_stem.weight"] && report.reset == ["_fc.weight", "_fc.bias"])
        #expect(report.loaded.count + 3 + report.defaulted.count == model.namedTensors().count)
        let rgb = try #require(try WeightFile.read(contentsOf: file)["_conv_stem.weight"])
        assertClose(try #require(model.stateDict()["_conv_stem.weight"]), try rgb.sum(axes: [1], keepDimensions: true))
    }

    @Test func legacyDenseNetKeysAreModernised() {
        #expect(PretrainedLoader.modernKey("features.denseblock1.denselayer1.norm.1.weight")
            == "features.denseblock1.denselayer1.norm1.weight")
        #expect(PretrainedLoader.modernKey("features.denseblock4.denselayer16.conv.2.weight")
            == "features.denseblock4.denselayer16.conv2.weight")
        #expect(PretrainedLoader.modernKey("features.denseblock1.denselayer1.norm1.weight")
            == "features.denseblock1.denselayer1.norm1.weight")
        #expect(PretrainedLoader.modernKey("layer1.0.conv1.weight") == "layer1.0.conv1.weight")
    }
}
