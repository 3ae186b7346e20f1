// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Testing
import Torch
import TorchNN
@testable import ScalpelTraining

/// Each strategy's defining behaviour, checked on ResNet-18 (2 classes).
@Suite(.serialized)
struct StrategyTests {
    static func backbone() throws -> any Backbone {
        try Architecture.resnet18.makeModel(classCount: 2, generator: try Generator(seed: 1))
    }

    static let base = TrainingPhase(epochs: 4, learningRate: 1e-3)

    static func trainableKeys(_ phase: TrainingPhase, _ model: any Layer) -> [String] {
        model.parameters().map(\.key).filter { phase.trainable.matches($0) }
    }

    @Test func everyCatalogueEntryParsesWithItsDefaults() throws {
        for info in StrategyCatalogue.all {
            var parameters: [String: String] = [:]
            if info.parameters.contains(where: { $0.name == "cut" }) { parameters["cut"] = "layer2" }
            if info.parameters.contains(where: { $0.name == "block" }) { parameters["block"] = "layer3" }
            let strategy = try TransferStrategy(name: info.name, parameters: parameters)
            let backbone = try Self.backbone()
            let model = try strategy.makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 2))
            let phases = try strategy.phases(model: model, backbone: backbone, base: Self.base)
            for phase in phases {
                try phase.validate()
                _ = try PhaseSetup(phase, model: model)   // every phase trains something that exists
            }
        }
    }

    @Test func badParametersAreRejectedBeforeTraining() throws {
        #expect(throws: TrainingError.self) { try TransferStrategy(name: "fine-tune-everything") }
        #expect(throws: TrainingError.self) { try TransferStrategy(name: "block-wise", parameters: ["k": "0"]) }
        #expect(throws: TrainingError.self) { try TransferStrategy(name: "lwft", parameters: ["depth": "2"]) }
        #expect(throws: TrainingError.self) { try TransferStrategy(name: "truncated") }   // cut is required
        #expect(throws: TrainingError.self) { try TransferStrategy(name: "l2-sp", parameters: ["alpha": "-1"]) }
        let backbone = try Self.backbone()
        let badCut = #expect(throws: TrainingError.self) {
            try TransferStrategy(name: "truncated", parameters: ["cut": "layer9"]).makeModel(from: backbone, classCount: 2, generator: nil)
        }
        #expect(badCut?.description.contains("layer3") == true)   // lists the valid cut points
        #expect(throws: TrainingError.self) {
            try TransferStrategy(name: "block-wise", parameters: ["k": "9"]).makeModel(from: backbone, classCount: 2, generator: nil)
        }
        let mobile = try Architecture.mobilenetV2.makeModel(classCount: 2)
        let noSlim = #expect(throws: TrainingError.self) {
            try TransferStrategy(name: "transfusion", parameters: ["cut": "features.3"]).makeModel(from: mobile, classCount: 2, generator: nil)
        }
        #expect(noSlim?.description.contains("mobilenet_v2") == true)
        let dense = try Architecture.densenet121.makeModel(classCount: 2)
        let nothingAbove = #expect(throws: TrainingError.self) {
            try TransferStrategy(name: "transfusion", parameters: ["cut": "features.denseblock4"]).makeModel(from: dense, classCount: 2, generator: nil)
        }
        #expect(nothingAbove?.description.contains("features.transition3") == true)
    }

    @Test func truncatedHasPrefixPlusHeadParameters() throws {
        let backbone = try Self.backbone()
        let cut = try backbone.cutPoint(named: "layer3")
        let prefix = ParameterFilter.prefixes(backbone.featureLinks.prefix(cut.linkCount).map(\.name))
        let prefixCount = backbone.parameters().filter { prefix.matches($0.key) }.reduce(0) { $0 + $1.tensor.elementCount }
        let model = try TransferStrategy(name: "truncated", parameters: ["cut": "layer3"])
            .makeModel(from: backbone, classCount: 2, generator: nil)
        #expect(model.parameterCount == prefixCount + 256 * 2 + 2)
        #expect(try model(Tensor.rand([1, 3, 64, 64])).shape == [1, 2])
        #expect(model.parameters().contains { $0.key == "layer3.1.conv2.weight" })   // torchvision's keys kept
    }

    @Test func transfusionSlimsTheTopAndKeepsThePretrainedBottom() throws {
        let backbone = try Self.backbone()
        let model = try TransferStrategy(name: "transfusion", parameters: ["cut": "layer2"])
            .makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 3))
        let original = Dictionary(uniqueKeysWithValues: backbone.parameters().map { ($0.key, $0.tensor) })
        let slim = Dictionary(uniqueKeysWithValues: model.parameters().map { ($0.key, $0.tensor) })
        #expect(slim["fc.weight"]?.shape == [2, 256])            // layer4 at half width: 512 → 256
        #expect(slim["layer3.0.conv1.weight"]?.shape == [128, 128, 3, 3])
        #expect(try slim["layer2.1.conv2.weight"]!.hostBytes() == original["layer2.1.conv2.weight"]!.hostBytes())
        #expect(try slim["conv1.weight"]!.hostBytes() == original["conv1.weight"]!.hostBytes())
    }

    @Test func transfusionSlimsEfficientNetLiteStagesAboveTheCut() throws {
        let backbone = try Architecture.efficientnetLite0.makeModel(classCount: 2, generator: try Generator(seed: 1))
        let model = try TransferStrategy(name: "transfusion", parameters: ["cut": "_blocks.10"])
            .makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 3))
        let original = Dictionary(uniqueKeysWithValues: backbone.parameters().map { ($0.key, $0.tensor) })
        let slim = Dictionary(uniqueKeysWithValues: model.parameters().map { ($0.key, $0.tensor) })
        #expect(Set(slim.keys) == Set(original.keys))                       // the published keys
        #expect(slim["_blocks.11._project_conv.weight"]?.shape == [96, 672, 1, 1])   // stage 6: 192 → 96, fed 112 × 6
        #expect(slim["_blocks.15._project_conv.weight"]?.shape == [160, 576, 1, 1])  // 320 → 160, fed 96 × 6
        #expect(slim["_conv_head.weight"]?.shape == [640, 160, 1, 1])
        #expect(slim["_fc.weight"]?.shape == [2, 640])
        #expect(try slim["_blocks.10._project_conv.weight"]!.hostBytes() == original["_blocks.10._project_conv.weight"]!.hostBytes())
        #expect(try slim["_conv_stem.weight"]!.hostBytes() == original["_conv_stem.weight"]!.hostBytes())
        #expect(try model(Tensor.rand([2, 3, 64, 64])).shape == [2, 2])
        #expect(model.parameterCount < backbone.parameterCount)
    }

    @Test func transfusionHalvesDenseNetGrowthAboveTheCut() throws {
        let backbone = try Architecture.densenet121.makeModel(classCount: 2, generator: try Generator(seed: 1))
        let model = try TransferStrategy(name: "transfusion", parameters: ["cut": "features.transition2"])
            .makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 3))
        let original = Dictionary(uniqueKeysWithValues: backbone.parameters().map { ($0.key, $0.tensor) })
        let slim = Dictionary(uniqueKeysWithValues: model.parameters().map { ($0.key, $0.tensor) })
        #expect(Set(slim.keys) == Set(original.keys))
        // Blocks 3 and 4 grow by 16: block 3 ends at 256 + 24·16 = 640, transition3 halves it to 320,
        // block 4 ends at 320 + 16·16 = 576 (the classifier's input).
        #expect(slim["features.denseblock3.denselayer1.conv2.weight"]?.shape == [16, 64, 3, 3])
        #expect(slim["features.transition3.conv.weight"]?.shape == [320, 640, 1, 1])
        #expect(slim["classifier.weight"]?.shape == [2, 576])
        #expect(try slim["features.transition2.conv.weight"]!.hostBytes() == original["features.transition2.conv.weight"]!.hostBytes())
        #expect(try slim["features.conv0.weight"]!.hostBytes() == original["features.conv0.weight"]!.hostBytes())
        #expect(try model(Tensor.rand([2, 3, 64, 64])).shape == [2, 2])
    }

    @Test func transfusionOfAGreyScaleBackboneTakesOneChannelAndKeepsItsStem() throws {
        for (architecture, cut, stemKey) in [(Architecture.resnet18, "layer2", "conv1.weight"),
                                             (.efficientnetLite0, "_blocks.7", "_conv_stem.weight")] {
            let backbone = try architecture.makeModel(classCount: 2, generator: try Generator(seed: 1))
            try backbone.adaptInputChannels(1)
            let model = try TransferStrategy(name: "transfusion", parameters: ["cut": cut])
                .makeModel(from: backbone, classCount: 2, generator: try Generator(seed: 3))
            let stem = try #require(model.parameters().first { $0.key == stemKey }?.tensor)
            let original = try #require(backbone.parameters().first { $0.key == stemKey }?.tensor)
            #expect(stem.shape[1] == 1)
            #expect(try stem.hostBytes() == original.hostBytes())
            #expect(try model(Tensor.rand([2, 1, 64, 64])).shape == [2, 2])
        }
    }

    @Test func probeAndBlockStrategiesTrainTheRightParameters() throws {
        let backbone = try Self.backbone()
        func phases(_ name: String, _ parameters: [String: String] = [:]) throws -> [TrainingPhase] {
            let strategy = try TransferStrategy(name: name, parameters: parameters)
            return try strategy.phases(model: try strategy.makeModel(from: backbone, classCount: 2, generator: nil),
                                       backbone: backbone, base: Self.base)
        }
        let probe = try phases("linear-probe")[0]
        #expect(Self.trainableKeys(probe, backbone) == ["fc.weight", "fc.bias"])
        #expect(probe.batchNorm == .freeze)
        // Low-rate strategies keep the running statistics (batch statistics cost 0.05–0.17 AUROC, docs/results).
        #expect(try phases("discriminative-lr")[0].batchNorm == .freeze)
        #expect(try phases("auto-rgn")[0].batchNorm == .freeze)
        #expect(try phases("full")[0].batchNorm == .train)
        let blocks = try phases("block-wise", ["k": "1"])[0]
        #expect(Set(Self.trainableKeys(blocks, backbone).map { String($0.prefix(6)) }) == ["layer4", "fc.wei", "fc.bia"])
        let surgical = try phases("surgical", ["block": "layer2"])[0]
        #expect(Self.trainableKeys(surgical, backbone).allSatisfy { $0.hasPrefix("layer2.") || $0.hasPrefix("fc.") })
        let lwft = try phases("lwft", ["k": "2", "decay": "10"])[0]
        let setup = try PhaseSetup(lwft, model: backbone)
        #expect(setup.groups.map(\.name) == ["head", "backbone"])
        #expect(setup.baseRates == [1e-3, 1e-4])
        #expect(setup.groups[1].keys.allSatisfy { $0.hasPrefix("layer4.") })   // the top two layers: layer4.0 and layer4.1
    }

    @Test func mlpHeadProbeTrainsOnlyTheMLP() throws {
        let strategy = try TransferStrategy(name: "linear-probe", parameters: ["head": "mlp", "hidden": "16"])
        let backbone = try Self.backbone()
        let model = try strategy.makeModel(from: backbone, classCount: 2, generator: nil)
        let phase = try strategy.phases(model: model, backbone: backbone, base: Self.base)[0]
        #expect(Self.trainableKeys(phase, model) == ["mlp_head.0.weight", "mlp_head.0.bias", "mlp_head.2.weight", "mlp_head.2.bias"])
        #expect(try model(Tensor.rand([1, 3, 64, 64])).shape == [1, 2])
    }

    @Test func gradualUnfreezingAndLPFTArePhases() throws {
        let backbone = try Self.backbone()
        let gradual = try TransferStrategy(name: "gradual-unfreezing", parameters: ["epochs-per-stage": "2"])
            .phases(model: backbone, backbone: backbone, base: Self.base)
        #expect(gradual.count == BackboneRegions(backbone).blocks.count + 1)
        let counts = gradual.map { Self.trainableKeys($0, backbone).count }
        #expect(counts == counts.sorted() && counts.first == 2 && counts.last == backbone.parameters().count)
        #expect(gradual.dropLast().allSatisfy { $0.epochs == 2 } && gradual.last?.epochs == 4)
        let lpft = try TransferStrategy(name: "lp-ft", parameters: ["probe-epochs": "3", "probe-lr-factor": "10"])
            .phases(model: backbone, backbone: backbone, base: Self.base)
        #expect(lpft.map(\.name) == ["probe", "fine-tune"])
        #expect(lpft[0].learningRate == 1e-2 && lpft[0].epochs == 3 && lpft[1].trainable == .all)
    }

    @Test func discriminativeRatesDecayPerBlock() throws {
        let backbone = try Self.backbone()
        let phase = try TransferStrategy(name: "discriminative-lr", parameters: ["decay": "2"])
            .phases(model: backbone, backbone: backbone, base: Self.base)[0]
        let setup = try PhaseSetup(phase, model: backbone)
        #expect(setup.groups.map(\.name) == ["head", "layer4", "layer3", "layer2", "layer1", "stem"])
        #expect(setup.baseRates == [1e-3, 5e-4, 2.5e-4, 1.25e-4, 6.25e-5, 3.125e-5])
    }

    @Test func l2spGradientIsAlphaTimesTheDistanceToTheStart() throws {
        let backbone = try Self.backbone()
        let strategy = try TransferStrategy(name: "l2-sp", parameters: ["alpha": "0.5", "beta": "0.25"])
        let start = try strategy.startingPoint(model: backbone, backbone: backbone)
        #expect(start["fc.weight"] == nil && start["conv1.weight"] != nil)
        let conv = try #require(backbone.parameters().first { $0.key == "conv1.weight" }?.tensor)
        let fc = try #require(backbone.parameters().first { $0.key == "fc.weight" }?.tensor)
        try withNoGrad { try conv.addInPlace(Tensor.full(conv.shape, value: 0.1)) }   // w − w⁰ = 0.1
        let parameters = [(key: "conv1.weight", tensor: conv), (key: "fc.weight", tensor: fc)]
        let penalty = try #require(try Regularizer.l2sp(alpha: 0.5, beta: 0.25).penalty(parameters, startingPoint: start))
        try penalty.backward()
        let convGradient = try #require(try conv.gradient())
        #expect(try (convGradient - 0.05).abs().max().item() < 1e-6)                    // α (w − w⁰)
        let fcGradient = try #require(try fc.gradient())
        #expect(try (fcGradient - fc * 0.25).abs().max().item() < 1e-6)                 // β w on the new head
    }

    @Test func autoRGNScalesEachTensorByItsRelativeGradientNorm() throws {
        let backbone = try Self.backbone()
        let phase = try TransferStrategy(name: "auto-rgn").phases(model: backbone, backbone: backbone, base: Self.base)[0]
        let setup = try PhaseSetup(phase, model: backbone)
        #expect(setup.groups.count == backbone.parameters().count)
        backbone.setMode(.training)
        let loss = try crossEntropy(logits: backbone(Tensor.rand([2, 3, 32, 32], generator: try Generator(seed: 4))),
                                    targets: Tensor([Int64(0), 1], shape: [2]))
        try loss.backward()
        let rates = try setup.autoRGNRates(scheduled: setup.baseRates)
        #expect(abs((rates.max() ?? 0) - 1e-3) < 1e-12)
        let ratios = try setup.groups.map { group -> Double in
            let w = group.tensors[0]
            return try w.gradient()!.square().sum().sqrt().item() / w.square().sum().sqrt().item()
        }
        let largest = ratios.filter(\.isFinite).max()!
        for (rate, ratio) in zip(rates, ratios) {
            // Zero-initialised tensors (‖w‖ = 0) train at the full rate.
            #expect(abs(rate - (ratio.isFinite ? 1e-3 * ratio / largest : 1e-3)) < 1e-12)
        }
        #expect(Set(rates.map { $0 < 1e-3 }).count == 2)   // some tensors slowed, some at the full rate
    }
}
