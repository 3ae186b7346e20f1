// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Testing

/// Each slimmable family says where a slim top may start and how its stages are numbered, so that
/// training asks the backbone instead of switching on the family.
struct SlimmableBackboneTests {
    @Test func eachFamilyNumbersItsOwnStages() throws {
        let resnet = try #require(try Architecture.resnet18.makeModel(classCount: 2) as? any SlimmableBackbone)
        #expect(resnet.slimmableCuts == ["stem", "layer1", "layer2", "layer3"])
        #expect(try resnet.slimTop(above: "stem", widthDivisor: 2) == SlimTop(firstStage: 1, widthDivisor: 2))
        #expect(try resnet.slimTop(above: "layer2", widthDivisor: 4) == SlimTop(firstStage: 3, widthDivisor: 4))

        let dense = try #require(try Architecture.densenet121.makeModel(classCount: 2) as? any SlimmableBackbone)
        #expect(dense.slimmableCuts == ["features.denseblock1", "features.transition1", "features.denseblock2",
                                        "features.transition2", "features.denseblock3", "features.transition3"])
        // A dense block's cut and the transition after it keep the same dense blocks.
        #expect(try dense.slimTop(above: "features.denseblock2", widthDivisor: 2).firstStage == 3)
        #expect(try dense.slimTop(above: "features.transition2", widthDivisor: 2).firstStage == 3)

        let lite = try #require(try Architecture.efficientnetLite0.makeModel(classCount: 2) as? any SlimmableBackbone)
        #expect(lite.slimmableCuts == ["stem", "_blocks.0", "_blocks.2", "_blocks.4", "_blocks.7", "_blocks.10", "_blocks.14", "_blocks.15"])
        #expect(try lite.slimTop(above: "stem", widthDivisor: 2).firstStage == 0)
        #expect(try lite.slimTop(above: "_blocks.10", widthDivisor: 2).firstStage == 5)
        #expect(try lite.slimTop(above: "_blocks.15", widthDivisor: 2).firstStage == 7)   // the head convolution alone
    }

    @Test func theSlimNetworkIsTheSameArchitectureNarrower() throws {
        let resnet = try #require(try Architecture.resnet18.makeModel(classCount: 2) as? any SlimmableBackbone)
        let slim = try resnet.makeSlim(try resnet.slimTop(above: "layer3", widthDivisor: 2), classCount: 3, generator: nil)
        #expect(slim.architecture == .resnet18 && slim.classCount == 3 && slim.featureCount == 256)
        #expect(slim.cutPoints.map(\.name) == resnet.cutPoints.map(\.name))
    }

    @Test func cutsWithNothingAboveAndOtherFamiliesAreRefused() throws {
        let resnet = try #require(try Architecture.resnet18.makeModel(classCount: 2) as? any SlimmableBackbone)
        #expect(throws: ArchitectureError.self) { try resnet.slimTop(above: "layer4", widthDivisor: 2) }
        #expect(throws: ArchitectureError.self) { try resnet.slimTop(above: "layer2.1", widthDivisor: 2) }
        #expect(try Architecture.mobilenetV2.makeModel(classCount: 2) as? any SlimmableBackbone == nil)
        #expect(try Architecture.vgg11.makeModel(classCount: 2) as? any SlimmableBackbone == nil)
    }
}
