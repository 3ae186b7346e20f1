// Scalpel — ScalpelModelsTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
@testable import ScalpelModels

// The ptflops figures below came from ptflops 0.7.5 with torch 2.15.0 / torchvision 0.29.2
// (`.deps/python/bin/pip install ptflops`), module hooks only, as the TTL paper counted:
//
//   from ptflops import get_model_complexity_info
//   def run(m, res=224):
//       return get_model_complexity_info(m, (3, res, res), as_strings=False, print_per_layer_stat=False,
//                                        backend='pytorch', backend_specific_config={'count_functional': False})
//   m = torchvision.models.resnet50(); run(m)                      # (4121925096, 25557032)
//   m.fc = nn.Identity(); run(m)                                   # (4119876096, 23508032)
//   m = torchvision.models.resnet50()
//   run(nn.Sequential(*list(m.children())[:7], nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
//                     nn.Linear(1024, 2)))                         # (3308958722, 8545346)
//   m = torchvision.models.resnet50(num_classes=2); m.inplanes = 1024
//   m.layer4 = m._make_layer(Bottleneck, 256, 3, stride=2); m.fc = nn.Linear(1024, 2); run(m)
//                                                                  # (3563388674, 12947522)
//
// With ptflops's default `count_functional=True` the MACs are 4132436968, 4130387968, 3319044098 and
// 3573586946: nn.ReLU and the poolings call F.relu / F.max_pool2d, which that mode counts a second time.

@Suite(.serialized) struct ComplexityTests {
    static func expectClose(_ macs: Int, _ ptflops: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let relative = abs(Double(macs - ptflops)) / Double(ptflops)
        #expect(relative < 0.01, "MACs \(macs) vs ptflops \(ptflops)", sourceLocation: sourceLocation)
    }

    @Test func resNet50WithImageNetHead() throws {
        let model = try ResNet(.resnet50, classCount: 1000, generator: Generator(seed: 1))
        let complexity = try ModelComplexity.measure(model, inputSize: 224)
        #expect(complexity.parameters == 25_557_032)
        #expect(complexity.trainableParameters == 25_557_032)
        Self.expectClose(complexity.macs.total, 4_121_925_096)
        #expect(complexity.macs.total == 4_121_925_096)  // exact, module for module
        #expect((complexity.macs.giga * 100).rounded() / 100 == 4.12)
        #expect(complexity.outputShape == [1, 1000])

        try model.resetClassifier(classCount: 0)
        let headless = try ModelComplexity.measure(model, inputSize: 224)
        #expect(headless.parameters == 23_508_032)
        Self.expectClose(headless.macs.total, 4_119_876_096)
        #expect(headless.outputShape == [1, 2048])
    }

    @Test func truncatedAfterLayer3WithPooledHead() throws {
        let model = try ResNet(.resnet50, generator: Generator(seed: 2))
        let truncated = try model.truncated(at: "layer3")
        let ttl = try truncated.withPooledLinearHead(classCount: 2)
        let complexity = try ModelComplexity.measure(ttl, inputSize: 224)
        #expect(complexity.parameters == 8_545_346)  // the paper's 8.55 M
        Self.expectClose(complexity.macs.total, 3_308_958_722)  // 3.31 G
        #expect(complexity.macs.total == 3_308_958_722)
        #expect(complexity.outputShape == [1, 2])

        let features = try ModelComplexity.measure(truncated, inputSize: 224)
        #expect(features.outputShape == [1, 1024, 14, 14])
        #expect(features.parameters == 8_545_346 - 2_050)
        // The head adds its pool (1024·14·14) and its Linear (1024·2 + 2).
        #expect(complexity.macs.total - features.macs.total == 1024 * 14 * 14 + 2_050)
    }

    @Test func transFusionSlimLayer4() throws {
        let slim = try ResNet(.resnet50, classCount: 2, generator: Generator(seed: 3),
                              slimTop: SlimTop(firstStage: 4))
        let complexity = try ModelComplexity.measure(slim, inputSize: 224)
        #expect(complexity.parameters == 12_947_522)  // the paper's 12.9 M
        Self.expectClose(complexity.macs.total, 3_563_388_674)  // 3.56 G
        #expect(slim.featureCount == 1024)

        // torchvision's keys, layer4 at half width.
        let full = try ResNet(.resnet50, classCount: 2)
        #expect(slim.parameters().map(\.key) == full.parameters().map(\.key))
        let shapes = Dictionary(uniqueKeysWithValues: slim.parameters().map { ($0.key, $0.tensor.shape) })
        #expect(shapes["layer3.5.conv3.weight"] == [1024, 256, 1, 1])
        #expect(shapes["layer4.0.conv1.weight"] == [256, 1024, 1, 1])
        #expect(shapes["layer4.2.conv3.weight"] == [1024, 256, 1, 1])
        #expect(shapes["fc.weight"] == [2, 1024])
        #expect(slim.cutPoints.last?.channels == 1024)

        #expect(throws: ArchitectureError.self) {
            _ = try ResNet(.resnet50, slimTop: SlimTop(firstStage: 5))
        }
        #expect(throws: ArchitectureError.self) {
            _ = try ResNet(.resnet18, slimTop: SlimTop(firstStage: 2, widthDivisor: 3))
        }
    }

    @Test func transFusionSlimEfficientNetLite() throws {
        // Every stage from stage 3 (80 channels) on and the head, halved and rounded as round_filters does.
        let slim = try EfficientNetLite(.efficientnetLite0, classCount: 2, slimTop: SlimTop(firstStage: 3))
        let full = try EfficientNetLite(.efficientnetLite0, classCount: 2)
        #expect(slim.parameters().map(\.key) == full.parameters().map(\.key))
        #expect(slim.featureCount == 640)
        #expect(slim.cutPoints(.block).map(\.channels) == [32, 16, 24, 40, 40, 56, 96, 160, 640])
        #expect(full.cutPoints(.block).map(\.channels) == [32, 16, 24, 40, 80, 112, 192, 320, 1280])
        let headOnly = try EfficientNetLite(.efficientnetLite0, classCount: 2, slimTop: SlimTop(firstStage: 7))
        #expect(headOnly.cutPoints(.block).map(\.channels) == [32, 16, 24, 40, 80, 112, 192, 320, 640])
        #expect(try ModelComplexity.measure(slim, inputSize: 224).parameters < ModelComplexity.measure(full, inputSize: 224).parameters)
        #expect(throws: ArchitectureError.self) { _ = try EfficientNetLite(.efficientnetLite0, slimTop: SlimTop(firstStage: 8)) }
        #expect(throws: ArchitectureError.self) { _ = try EfficientNetLite(.efficientnetLite0, slimTop: SlimTop(firstStage: 2, widthDivisor: 0)) }
    }

    /// Conv(3→4, 3×3, padding 1, bias) → BN(4) → ReLU → MaxPool(2) → Flatten → Linear(64→5) on 8×8;
    /// ptflops gives (8517, 445) for the same PyTorch model.
    static func makeTinyModel() throws -> Sequential {
        let generator = try Generator(seed: 4)
        return Sequential([
            try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, padding: 1, generator: generator),
            try BatchNorm2d(featureCount: 4), ReLU(), MaxPool2d(kernelSize: 2), Flatten(),
            try Linear(inputFeatures: 4 * 4 * 4, outputFeatures: 5, generator: generator),
        ])
    }

    @Test func tinyModelByHand() throws {
        let model = try Self.makeTinyModel()
        let complexity = try ModelComplexity.measure(model, inputSize: 8)
        // conv: 4·8·8 outputs × 3·3·3 + 4·8·8 bias; BN affine: 2 × 256; ReLU: 256; pool: its 256 inputs;
        // Linear: 64·5 + 5.
        #expect(complexity.macs.byKind == [.convolution: 256 * 27 + 256, .normalization: 512, .activation: 256,
                                           .pooling: 256, .linear: 325])
        #expect(complexity.macs.total == 8_517)
        #expect(complexity.parameters == 4 * 27 + 4 + 8 + 64 * 5 + 5)
        #expect(complexity.parameters == 445)

        // Per sample whatever the batch.
        let (batched, shape) = try ModelComplexity.countMACs(model, input: Tensor.zeros([4, 3, 8, 8]))
        #expect(batched == complexity.macs)
        #expect(shape == [4, 5])

        // Frozen parameters are not trainable.
        try model.freeze(matching: .prefix("0."))
        let frozen = try ModelComplexity.measure(model, inputSize: 8)
        #expect(frozen.parameters == 445)
        #expect(frozen.trainableParameters == 445 - 112)
    }

    @Test func measuringKeepsModesAndLeavesNoObserver() throws {
        let model = try Self.makeTinyModel()
        model.setMode(.training)
        let norm = try #require(model[1] as? BatchNorm2d)
        let before = try norm.runningMean!.hostArray(of: Float.self)
        _ = try ModelComplexity.measure(model, inputSize: 8)
        #expect(model.mode == .training)
        #expect(norm.mode == .training)
        #expect(try norm.runningMean!.hostArray(of: Float.self) == before)  // evaluation: statistics untouched
        #expect(!isForwardObserverInstalled)
    }

    final class Recorder: ForwardObserver, @unchecked Sendable {
        var calls: [(String, [Int], [Int])] = []
        func layerDidForward(_ layer: any Layer, inputShape: [Int], outputShape: [Int]) {
            calls.append(("\(type(of: layer))", inputShape, outputShape))
        }
    }

    @Test func observerSeesLeafLayersInOrder() throws {
        let model = try Self.makeTinyModel()
        model.setMode(.evaluation)
        let recorder = Recorder()
        let input = try Tensor.zeros([2, 3, 8, 8])
        _ = try withForwardObserver(recorder) {
            #expect(isForwardObserverInstalled)
            return try model(input)
        }
        #expect(recorder.calls.map { $0.0 } == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Flatten", "Linear"])
        #expect(recorder.calls[3].1 == [2, 4, 8, 8])
        #expect(recorder.calls[3].2 == [2, 4, 4, 4])
        #expect(recorder.calls[5].2 == [2, 5])

        // Tensor methods are not layers; nested observers hide the outer one and restore it.
        let inner = Recorder()
        try withForwardObserver(recorder) {
            _ = try input.relu()
            try withForwardObserver(inner) { _ = try ReLU()(input) }
            _ = try Identity()(input)
        }
        #expect(inner.calls.map { $0.0 } == ["ReLU"])
        #expect(recorder.calls.suffix(1).map { $0.0 } == ["Identity"])
        #expect(recorder.calls.count == 7)
        _ = try model(input)
        #expect(recorder.calls.count == 7)
    }

    @Test func resNetBlocksReportTheirInlineReLUs() throws {
        // ResNet-18 at 32×32 checked against ptflops: (37689832, 11689512).
        let model = try ResNet(.resnet18, generator: Generator(seed: 5))
        let complexity = try ModelComplexity.measure(model, inputSize: 32)
        #expect(complexity.parameters == 11_689_512)
        #expect(complexity.macs.total == 37_689_832)
    }

    /// Other families, exact: ptflops with the command above, `run(m, size)` on torchvision's
    /// `efficientnet_b0()`, `mobilenet_v3_large()`, `mobilenet_v2()`, `densenet121()` at 64×64 and
    /// `inception_v3(init_weights=False)` (with its aux head, idle in evaluation) at 80×80.
    @Test(arguments: [(Architecture.efficientnetB0, 64, 34_550_372, 5_288_548),
                      (.mobilenetV3Large, 64, 22_337_216, 5_483_032), (.mobilenetV2, 64, 27_318_248, 3_504_872),
                      (.densenet121, 64, 236_257_256, 7_978_856), (.inceptionV3, 80, 213_072_488, 27_161_264)])
    func otherFamiliesMatchPtflops(_ architecture: Architecture, _ size: Int, _ macs: Int, _ parameters: Int) throws {
        let model = try architecture.makeModel(generator: Generator(seed: 7))
        let complexity = try ModelComplexity.measure(model, inputSize: size)
        #expect(complexity.parameters == parameters)
        #expect(complexity.macs.total == macs)
    }

    /// Conv → relu() → adaptiveAvgPool2d() → Flatten → Linear, the ReLU and the pool as tensor methods
    /// declared inline (as `nn.ReLU` and `nn.AdaptiveAvgPool2d` modules they would count).
    final class InlineBlock: Layer, InlineOperationReporting {
        let conv: Conv2d, flatten = Flatten(), linear: Linear
        init() throws {
            conv = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 1, bias: false)
            linear = try Linear(inputFeatures: 4, outputFeatures: 2, bias: false)
        }
        var namedChildren: [(String, any Module)] { [("conv", conv), ("flatten", flatten), ("linear", linear)] }
        var inlineOperations: [InlineOperation] { [.activation(after: conv), .pooling(before: flatten)] }
        func callAsFunction(_ input: Tensor) throws -> Tensor {
            try linear(flatten(conv(input).relu().adaptiveAvgPool2d(outputSize: (1, 1))))
        }
    }

    @Test func inlineOperationsAreCounted() throws {
        let complexity = try ModelComplexity.measure(InlineBlock(), inputSize: 5)
        // conv 4·25·3, relu 4·25, pool its 4·25 inputs, linear 4·2.
        #expect(complexity.macs.byKind == [.convolution: 300, .activation: 100, .pooling: 100, .linear: 8])
    }

    @Test func cutPointRows() throws {
        let model = try ResNet(.resnet18, generator: Generator(seed: 6))
        let rows = try ModelComplexity.measureCutPoints(model, inputSize: 64, classCount: 3)
        #expect(rows.map(\.cut) == model.cutPoints)
        let layer3 = try #require(rows.first { $0.cut.name == "layer3" && $0.cut.level == .block })
        #expect(layer3.featureShape == [256, 4, 4])
        let truncated = try model.truncated(at: "layer3")
        #expect(layer3.complexity.parameters == truncated.parameterCount + 256 * 3 + 3)
        #expect(layer3.complexity.outputShape == [1, 3])
    }

    @Test func latencyOfATinyModel() throws {
        let model = try Self.makeTinyModel()
        model.setMode(.training)
        let report = try ModelComplexity.measureLatency(model, sampleShape: [3, 8, 8], batchSizes: [1, 32], warmUp: 1,
                                                        repeats: 3)
        #expect(report.measurements.map(\.batchSize) == [1, 32])
        #expect(report.measurements.allSatisfy { $0.samples.count == 3 && $0.median > 0 })
        let batch = try #require(report.measurement(batchSize: 32))
        #expect(batch.minimum <= batch.median && batch.median <= batch.maximum)
        #expect(report.device == "cpu")
        #expect(report.description.contains("batch 32"))
        #expect(model.mode == .training)
        #expect(throws: ArchitectureError.self) { _ = try ModelComplexity.measureLatency(model, repeats: 0) }

        let even = LatencyReport.Measurement(batchSize: 2, samples: [4, 1, 3, 2])
        #expect(even.median == 2.5)
        #expect(even.medianPerSample == 1.25)
    }
}
