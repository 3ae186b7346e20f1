// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport
@testable import ScalpelModels

/// Cut points, truncation and heads of EfficientNet-B0…B3, MobileNetV2 and MobileNetV3-Large.
@Suite(.serialized) struct MobileFamilyCutPointTests {
    static let architectures: [Architecture] = [
        .efficientnetB0, .efficientnetB1, .efficientnetB2, .efficientnetB3, .mobilenetV2, .mobilenetV3Large,
    ]

    static let blockCuts: [Architecture: [String]] = [
        .efficientnetB0: (0 ... 8).map { "features.\($0)" },
        .efficientnetB3: (0 ... 8).map { "features.\($0)" },
        .mobilenetV2: [0, 1, 3, 6, 10, 13, 16, 17, 18].map { "features.\($0)" },
        .mobilenetV3Large: [0, 1, 3, 6, 10, 12, 15, 16].map { "features.\($0)" },
    ]

    /// Blocks per EfficientNet stage: torchvision's `ceil(layers · depth)`.
    static let stageDepths: [Architecture: [Int]] = [
        .efficientnetB0: [1, 2, 2, 3, 3, 4, 1], .efficientnetB1: [2, 3, 3, 4, 4, 5, 2],
        .efficientnetB2: [2, 3, 3, 4, 4, 5, 2], .efficientnetB3: [2, 3, 3, 5, 5, 6, 2],
    ]

    @Test(arguments: architectures)
    func cutPointsDescribeTheRealFeatureMaps(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 10, generator: try Generator(seed: 1))
        model.setMode(.evaluation)
        let input = try Tensor.randn([1, 3, 64, 64], generator: try Generator(seed: 2))
        try withNoGrad {
            let outputs = try model.forwardIntermediates(input, at: model.cutPoints)
            for (cut, output) in zip(model.cutPoints, outputs) {
                #expect(output.shape == [1, cut.channels, 64 / cut.reduction, 64 / cut.reduction], "\(cut)")
            }
            let features = try model.forwardFeatures(input)
            #expect(features.shape == [1, model.featureCount, 2, 2])
            let last = try #require(model.cutPoints(.block).last)
            #expect(last.linkCount == model.featureLinks.count && last.channels == model.featureCount)
            #expect(try model(input).shape == [1, 10])
        }
        if let expected = Self.blockCuts[architecture] {
            #expect(model.cutPoints(.block).map(\.name) == expected)
        }
        // Layer cuts: the stem, every inverted residual, the final 1×1 convolution, in network order.
        let layers = model.cutPoints(.layer)
        #expect(layers.map(\.linkCount) == Array(1 ... model.featureLinks.count))
        #expect(layers.map(\.name) == model.featureLinks.map(\.name))
        if let depths = Self.stageDepths[architecture] {
            let names = depths.enumerated().flatMap { stage, depth in (0 ..< depth).map { "features.\(stage + 1).\($0)" } }
            #expect(layers.map(\.name) == ["features.0"] + names + ["features.8"])
        }
    }

    @Test(arguments: architectures)
    func truncationKeepsAPrefixOfTheKeys(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 10)
        let keys = try model.stateDict().keys
        var previous = 0
        for cut in model.cutPoints {
            let truncated = try model.truncated(at: cut)
            let kept = try truncated.stateDict().keys
            #expect(kept == Array(keys.prefix(kept.count)), "\(cut)")
            #expect(kept.allSatisfy { $0.hasPrefix("features.") })
            #expect(truncated.featureCount == cut.channels)
            if cut.level == .layer {
                #expect(kept.count > previous, "\(cut) keeps more than the cut before it")
                previous = kept.count
            }
        }
        let whole = try model.truncated(at: "features.\(architecture == .mobilenetV2 ? 18 : architecture == .mobilenetV3Large ? 16 : 8)")
        #expect(try whole.stateDict().keys == keys.filter { $0.hasPrefix("features.") })
        #expect(throws: CutPointError.self) { try model.truncated(at: "features.99") }
    }

    @Test(arguments: architectures)
    func truncatedModelComputesTheIntermediateFeatures(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 10)
        try DeterministicWeights.apply(to: model)
        model.setMode(.evaluation)
        let input = try Tensor.randn([2, 3, 64, 64], generator: try Generator(seed: 3))
        let cut = try #require(model.cutPoints(.block).dropFirst(3).first)
        try withNoGrad {
            let expected = try model.forwardIntermediates(input, at: [cut])[0]
            assertEqual(try model.truncated(at: cut)(input), expected, "\(cut)")
        }
    }

    @Test(arguments: architectures)
    func resetClassifierInstallsANewHead(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 10)
        model.setMode(.evaluation)
        let features = try Tensor.randn([2, model.featureCount, 2, 2], generator: try Generator(seed: 4))
        let preLogits = try model.forwardHead(features, preLogits: true)
        try model.resetClassifier(classCount: 3, generator: try Generator(seed: 5))
        #expect(model.classCount == 3)
        #expect(try model.forwardHead(features, preLogits: false).shape == [2, 3])
        try model.resetClassifier(classCount: 0, generator: nil)
        #expect(model.classCount == 0)
        assertEqual(try model.forwardHead(features, preLogits: false), preLogits, "identity head")
        let classifierKeys = try model.stateDict().keys.filter { $0.hasPrefix("classifier.") }
        #expect(classifierKeys == (architecture == .mobilenetV3Large ? ["classifier.0.weight", "classifier.0.bias"] : []))
        #expect(throws: ArchitectureError.self) { try model.resetClassifier(classCount: -1, generator: nil) }
    }

    /// torchvision's initialisation: convolutions N(0, 2 / fan_out) with zero biases, batch norms 1 / 0,
    /// classifiers U(±1/√out) (EfficientNet) or N(0, 0.01²) (MobileNets) with zero biases.
    @Test(arguments: architectures)
    func initialisationFollowsTorchvision(_ architecture: Architecture) throws {
        let model = try architecture.makeModel(classCount: 10, generator: try Generator(seed: 11))
        for (key, tensor) in try model.stateDict().entries {
            let shape = tensor.shape
            if key.hasSuffix(".bias") || key.hasSuffix("running_mean") {
                #expect(try tensor.abs().max().item() == 0, "\(key)")
            } else if key.hasSuffix("running_var") || (key.hasSuffix(".weight") && shape.count == 1) {
                #expect(try tensor.min().item() == 1 && tensor.max().item() == 1, "\(key)")
            } else if shape.count == 4, shape[0] * shape[2] * shape[3] >= 256 {
                let expected = (2.0 / Double(shape[0] * shape[2] * shape[3])).squareRoot()
                let std = try tensor.standardDeviation().item()
                #expect(abs(std / expected - 1) < 0.2, "\(key): std \(std), expected \(expected)")
            } else if shape.count == 2, key.hasPrefix("classifier.") {
                if architecture.family == .efficientnet {
                    #expect(try tensor.abs().max().item() <= 1 / Double(shape[0]).squareRoot(), "\(key)")
                } else {
                    #expect(abs(try tensor.standardDeviation().item() - 0.01) < 0.002, "\(key)")
                }
            }
        }
    }

    /// MACs and parameters at 224 px equal ptflops 0.7.5's on torchvision 0.29.2 with module hooks only
    /// (`get_model_complexity_info(m, (3, 224, 224), backend='pytorch',
    /// backend_specific_config={'count_functional': False})`): the same leaf modules run, SE and head
    /// `avgpool` included, and MobileNetV2's functional pooling is not counted.
    @Test(arguments: [(Architecture.efficientnetB0, 401_669_732, 5_288_548), (.efficientnetB3, 993_660_472, 12_233_232),
                      (.mobilenetV2, 320_237_288, 3_504_872), (.mobilenetV3Large, 228_356_576, 5_483_032)])
    func complexityMatchesPtflops(_ architecture: Architecture, macs: Int, parameters: Int) throws {
        let model = try architecture.makeModel(classCount: 1000, generator: try Generator(seed: 1))
        let complexity = try ModelComplexity.measure(model, inputSize: 224)
        #expect(complexity.parameters == parameters)
        #expect(complexity.macs.total == macs)
    }

    @Test func efficientNetStochasticDepthRisesLinearly() throws {
        let model = try EfficientNet(.efficientnetB0, classCount: 10)
        let blocks = model.featureLinks.compactMap { $0.layer as? InvertedResidual }
        #expect(blocks.count == 16)
        for (index, block) in blocks.enumerated() {
            let probability = try #require(block.stochasticDepth?.probability)
            #expect(abs(probability - 0.2 * Double(index) / 16) < 1e-12)
        }
        #expect(throws: ArchitectureError.self) { try EfficientNet(.mobilenetV2) }
        #expect(throws: ArchitectureError.self) { try EfficientNet(.efficientnetB0, dropout: 1.5) }
    }
}
