// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport
@testable import ScalpelModels

/// Cut points, truncation, heads and initialisation of DenseNet-121/161/169/201 and VGG-11…19 (± BN).
///
/// Shapes are torchvision's feature shapes (ALGORITHMS.md §1.1.2: DenseNet-121 at 224 px gives
/// 128×28×28, 256×14×14 and 512×7×7 after transition1/2/3). VGG models hold ~120 M classifier
/// parameters each, so only a few are built here.
@Suite(.serialized) struct DenseNetVGGCutPointTests {
    static let denseNets: [Architecture] = [.densenet121, .densenet161, .densenet169, .densenet201]

    /// (growth rate, layers per block, stem channels, final channels) from torchvision's `densenet.py`.
    static let denseConfig: [Architecture: (Int, [Int], Int, Int)] = [
        .densenet121: (32, [6, 12, 24, 16], 64, 1024), .densenet161: (48, [6, 12, 36, 24], 96, 2208),
        .densenet169: (32, [6, 12, 32, 32], 64, 1664), .densenet201: (32, [6, 12, 48, 32], 64, 1920),
    ]

    @Test func denseNet121BlockCutsAreTorchvisionsFeatureShapes() throws {
        let model = try Architecture.densenet121.makeModel(classCount: 10)
        let blocks = model.cutPoints(.block)
        #expect(blocks.map(\.name) == ["features.denseblock1", "features.transition1", "features.denseblock2",
                                       "features.transition2", "features.denseblock3", "features.transition3",
                                       "features.denseblock4", "features.norm5"])
        #expect(blocks.map(\.channels) == [256, 128, 512, 256, 1024, 512, 1024, 1024])
        #expect(blocks.map(\.reduction) == [4, 8, 8, 16, 16, 32, 32, 32])
        // At 224 px: 128×28×28, 256×14×14, 512×7×7 after the transitions (TruncatedTL's DenseNet cuts).
        let input = try Tensor.randn([1, 3, 224, 224], generator: try Generator(seed: 3))
        model.setMode(.evaluation)
        try withNoGrad {
            let outputs = try model.forwardIntermediates(input, at: try ["features.transition1", "features.transition2",
                                                                        "features.transition3"].map(model.cutPoint(named:)))
            #expect(outputs.map(\.shape) == [[1, 128, 28, 28], [1, 256, 14, 14], [1, 512, 7, 7]])
        }
    }

    @Test(arguments: denseNets)
    func denseNetCutPointsDescribeTheRealFeatureMaps(_ architecture: Architecture) throws {
        let (growth, blocks, stem, final) = try #require(Self.denseConfig[architecture])
        let model = try architecture.makeModel(classCount: 10, generator: try Generator(seed: 1))
        #expect(model.featureCount == final)
        // Layer cuts: every dense layer, then each transition and norm5; each block cut equals its last layer's.
        var names: [String] = []
        var channels = stem
        for (index, count) in blocks.enumerated() {
            names += (1 ... count).map { "features.denseblock\(index + 1).denselayer\($0)" }
            channels += count * growth
            let blockCut = try model.cutPoint(named: "features.denseblock\(index + 1)")
            #expect(blockCut.channels == channels && blockCut.level == .block)
            #expect(model.cutPoints(.layer).first { $0.name == names.last }?.linkCount == blockCut.linkCount)
            if index < 3 {
                names.append("features.transition\(index + 1)")
                channels /= 2
            }
        }
        names.append("features.norm5")
        #expect(model.cutPoints(.layer).map(\.name) == names)
        #expect(model.cutPoints(.layer).first?.channels == stem + growth)
        model.setMode(.evaluation)
        let input = try Tensor.randn([1, 3, 64, 64], generator: try Generator(seed: 2))
        try withNoGrad {
            let outputs = try model.forwardIntermediates(input, at: model.cutPoints)
            for (cut, output) in zip(model.cutPoints, outputs) {
                #expect(output.shape == [1, cut.channels, 64 / cut.reduction, 64 / cut.reduction], "\(cut)")
            }
            #expect(try model.forwardFeatures(input).shape == [1, final, 2, 2])
            #expect(try model(input).shape == [1, 10])
        }
    }

    @Test func denseNetTruncationKeepsAPrefixOfTheKeys() throws {
        let model = try Architecture.densenet121.makeModel(classCount: 10)
        model.setMode(.evaluation)
        let keys = try model.stateDict().keys
        let input = try Tensor.randn([2, 3, 64, 64], generator: try Generator(seed: 4))
        for name in model.cutPoints(.block).map(\.name) + ["features.denseblock2.denselayer3", "features.denseblock3.denselayer1"] {
            let trunk = try model.truncated(at: name)
            let trunkKeys = try trunk.stateDict().keys
            #expect(trunkKeys == Array(keys.prefix(trunkKeys.count)), "\(name)")
            #expect(trunkKeys.last?.hasPrefix(name) == true, "\(name): \(trunkKeys.last ?? "")")
            let output = try withNoGrad { try trunk(input) }
            #expect(output.shape == [2, trunk.cut.channels, 64 / trunk.cut.reduction, 64 / trunk.cut.reduction], "\(name)")
        }
        let layer = try model.truncated(at: "features.denseblock2.denselayer3")
        #expect(try layer.stateDict().keys.last == "features.denseblock2.denselayer3.conv2.weight")
        #expect(layer.cut.channels == 128 + 3 * 32 && layer.cut.level == .layer)
        #expect(try model.truncated(at: "features.transition1").stateDict().keys.last == "features.transition1.conv.weight")
        #expect(throws: CutPointError.self) { try model.truncated(at: "features.transition4") }
    }

    @Test func denseNetHeadAndInitialisationAreTorchvisions() throws {
        try TorchRuntime.configure(seed: 3)
        let model = try Architecture.densenet121.makeModel(classCount: 10)
        let state = try model.stateDict()
        // torch.manual_seed(3); torchvision.models.densenet121(num_classes=10): first values and sums.
        let expected: [(String, Double, Double)] = [
            ("features.conv0.weight", -0.28497952222824097, -21.307668914952103),
            ("features.denseblock4.denselayer16.conv2.weight", 0.10767029970884323, -6.09877146822987),
            ("classifier.weight", 0.0011907145380973816, 3.0131507962942123),
            ("classifier.bias", 0, 0),
        ]
        for (key, first, sum) in expected {
            let tensor = try #require(state[key]).to(dtype: .float64)
            #expect(abs(try tensor.flattened().select(axis: 0, index: 0).item() - first) < 1e-7, "\(key)")
            #expect(abs(try tensor.sum().item() - sum) < 1e-3, "\(key)")
        }
        #expect(try #require(state["features.norm5.weight"]).sum().item() == 1024)
        model.setMode(.evaluation)
        let input = try Tensor.randn([2, 3, 64, 64], generator: try Generator(seed: 5))
        try withNoGrad {
            let features = try model.forwardFeatures(input)
            let pooled = try model.forwardHead(features, preLogits: true)
            #expect(try (pooled - features.relu().mean(axes: [2, 3])).abs().max().item() < 1e-5)
            try model.resetClassifier(classCount: 0, generator: nil)
            #expect(model.classCount == 0)
            #expect(try model(input).shape == [2, 1024])
            #expect(try model.stateDict().keys.allSatisfy { !$0.hasPrefix("classifier") })
            try model.resetClassifier(classCount: 3, generator: try Generator(seed: 1))
            #expect(try model(input).shape == [2, 3])
        }
        #expect(throws: ArchitectureError.self) { try DenseNet(.resnet18) }
        #expect(throws: ArchitectureError.self) { try VGG(.densenet121) }
    }

    @Test func vggCutPointsAndTruncation() throws {
        // torchvision's indices: pools close each stage; a cut follows each conv's ReLU.
        let cases: [(Architecture, [Int], [Int])] = [
            (.vgg16, [4, 9, 16, 23, 30], [1, 3, 6, 8, 11, 13, 15, 18, 20, 22, 25, 27, 29]),
            (.vgg11BN, [3, 7, 14, 21, 28], [2, 6, 10, 13, 17, 20, 24, 27]),
        ]
        let input = try Tensor.randn([1, 3, 64, 64], generator: try Generator(seed: 6))
        for (architecture, pools, relus) in cases {
            let model = try architecture.makeModel(classCount: 10)
            model.setMode(.evaluation)
            let blocks = model.cutPoints(.block)
            #expect(blocks.map(\.name) == pools.map { "features.\($0)" })
            #expect(blocks.map(\.channels) == [64, 128, 256, 512, 512])
            #expect(blocks.map(\.reduction) == [2, 4, 8, 16, 32])
            #expect(model.cutPoints(.layer).map(\.name) == (pools + relus).sorted().map { "features.\($0)" })
            #expect(model.featureCount == 512)
            let keys = try model.stateDict().keys
            try withNoGrad {
                let outputs = try model.forwardIntermediates(input, at: model.cutPoints)
                for (cut, output) in zip(model.cutPoints, outputs) {
                    #expect(output.shape == [1, cut.channels, 64 / cut.reduction, 64 / cut.reduction], "\(cut)")
                }
                for name in ["features.\(pools[2])", "features.\(relus[0])"] {
                    let trunk = try model.truncated(at: name)
                    let trunkKeys = try trunk.stateDict().keys
                    #expect(!trunkKeys.isEmpty && trunkKeys == Array(keys.prefix(trunkKeys.count)), "\(name)")
                    #expect(!trunkKeys.contains { $0.hasPrefix("classifier") })
                    let output = try trunk(input)
                    #expect(output.shape == [1, trunk.cut.channels, 64 / trunk.cut.reduction, 64 / trunk.cut.reduction])
                }
            }
        }
    }

    @Test func vggHeadAndInitialisationAreTorchvisions() throws {
        try TorchRuntime.configure(seed: 3)
        let model = try Architecture.vgg11.makeModel(classCount: 10)
        let state = try model.stateDict()
        // torch.manual_seed(3); torchvision.models.vgg11(num_classes=10): first values and sums.
        let expected: [(String, Double, Double)] = [
            ("features.0.weight", -0.026792040094733238, 1.0432291490119496),
            ("features.18.weight", -0.0031910231336951256, -33.943563212369355),
            ("classifier.0.weight", 0.00727445213124156, 114.69993528865888),
            ("classifier.6.weight", 0.005607647355645895, 2.214753634274075),
            ("features.0.bias", 0, 0),
        ]
        for (key, first, sum) in expected {
            let tensor = try #require(state[key]).to(dtype: .float64)
            #expect(abs(try tensor.flattened().select(axis: 0, index: 0).item() - first) < 1e-7, "\(key)")
            #expect(abs(try tensor.sum().item() - sum) < 1e-2, "\(key)")
        }
        #expect(state.keys.filter { $0.hasPrefix("classifier") }
            == ["classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
                "classifier.6.weight", "classifier.6.bias"])
        model.setMode(.evaluation)
        let input = try Tensor.randn([2, 3, 32, 32], generator: try Generator(seed: 5))
        try withNoGrad {
            let features = try model.forwardFeatures(input)
            #expect(features.shape == [2, 512, 1, 1])
            #expect(try model.forwardHead(features, preLogits: true).shape == [2, 4096])
            #expect(try model(input).shape == [2, 10])
            try model.resetClassifier(classCount: 0, generator: nil)
            #expect(try model(input).shape == [2, 4096])
            #expect(try !model.stateDict().keys.contains { $0.hasPrefix("classifier.6") })
            try model.resetClassifier(classCount: 2, generator: nil)
            #expect(try model(input).shape == [2, 2])
        }
    }
}
