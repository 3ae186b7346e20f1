// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

/// A block written the way ScalpelModels writes torchvision blocks: explicit children under their keys.
final class TinyBlock: Layer {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let downsample: Sequential

    init() throws {
        conv1 = try Conv2d(inputChannels: 2, outputChannels: 4, kernelSize: 3, padding: 1, bias: false)
        bn1 = try BatchNorm2d(featureCount: 4)
        downsample = Sequential([try Conv2d(inputChannels: 2, outputChannels: 4, kernelSize: 1, bias: false),
                                 try BatchNorm2d(featureCount: 4)])
    }

    var namedChildren: [(String, any Module)] { [("conv1", conv1), ("bn1", bn1), ("downsample", downsample)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try (bn1(conv1(input)) + downsample(input)).relu()
    }
}

/// A model whose first module is listed under two names (PyTorch keeps both keys in the state dict).
final class SharedHead: Module {
    let head: Linear
    init() throws { head = try Linear(inputFeatures: 2, outputFeatures: 2) }
    var namedChildren: [(String, any Module)] { [("head", head), ("alias", head)] }
}

@Suite struct StateDictTests {
    @Test func keysFollowPyTorchsOrder() throws {
        let block = try TinyBlock()
        let keys = try block.stateDict().keys
        #expect(keys == [
            "conv1.weight",
            "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "downsample.0.weight",
            "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var",
            "downsample.1.num_batches_tracked",
        ])
        #expect(block.parameters().map(\.key) == ["conv1.weight", "bn1.weight", "bn1.bias", "downsample.0.weight",
                                                  "downsample.1.weight", "downsample.1.bias"])
        #expect(block.buffers().count == 6)
        #expect(block.namedModules().map(\.key) == ["", "conv1", "bn1", "downsample", "downsample.0", "downsample.1"])
        #expect(block.parameterCount == 4 * 2 * 9 + 4 + 4 + 4 * 2 + 4 + 4)
    }

    @Test func sharedModulesKeepBothKeysButCountOnce() throws {
        let model = try SharedHead()
        #expect(try model.stateDict().keys == ["head.weight", "head.bias", "alias.weight", "alias.bias"])
        #expect(model.parameters().map(\.key) == ["head.weight", "head.bias"])
        #expect(model.parameterCount == 6)
    }

    @Test func stateDictSharesStorageButNotAutograd() throws {
        let linear = try Linear(inputFeatures: 2, outputFeatures: 3)
        let state = try linear.stateDict()
        let weight = try #require(state["weight"])
        #expect(weight.sharesStorage(with: linear.weight))
        #expect(!weight.requiresGradient)
    }

    @Test func roundTripThroughSafetensors() throws {
        let source = try makeSmallCNN()
        try source.load(LayerCase("cnn").initialState())
        let data = try SafeTensors.encode(source.stateDict())
        let target = try makeSmallCNN()
        let report = try target.load(SafeTensors.read(data, source: "memory").tensors)
        #expect(report.isComplete)
        #expect(report.loaded == (try source.stateDict().keys))
        for ((key, a), (_, b)) in zip(try source.stateDict().entries, try target.stateDict().entries) {
            assertEqual(a, b, key)
        }
    }

    @Test func loadCopiesInPlaceKeepingIdentity() throws {
        let fixture = try LayerCase("conv_basic")
        let conv = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, padding: 1)
        let weight = conv.weight
        try conv.load(fixture.initialState())
        #expect(conv.weight === weight)
        #expect(weight.requiresGradient)
        assertEqual(weight, try fixture.tensor("state.weight"))
    }

    @Test func strictLoadNamesMissingUnexpectedAndMismatchedKeys() throws {
        let block = try TinyBlock()
        var state = try block.stateDict()
        let before = try block.conv1.weight.clone()
        state["bn1.running_var"] = nil                                   // missing
        state["downsample.2.weight"] = try Tensor.zeros([4])              // unexpected
        state["conv1.weight"] = try Tensor.zeros([4, 3, 3, 3])            // wrong shape
        state["bn1.num_batches_tracked"] = try Tensor.scalar(0)           // float32 instead of int64
        state["bn1.weight"] = try block.bn1.weight!.onesLike().detached()  // fine, but must not be copied

        let error = try #require(throws: StateDictError.self) { try block.load(state) }
        #expect(error.missingKeys == ["bn1.running_var"])
        #expect(error.unexpectedKeys == ["downsample.2.weight"])
        #expect(error.mismatches.map(\.key) == ["conv1.weight", "bn1.num_batches_tracked"])
        #expect(error.mismatches[0].expectedShape == [4, 2, 3, 3])
        #expect(error.mismatches[0].foundShape == [4, 3, 3, 3])
        let message = error.description
        #expect(message.contains("TinyBlock"))
        #expect(message.contains("missing key(s): bn1.running_var"))
        #expect(message.contains("unexpected key(s): downsample.2.weight"))
        #expect(message.contains("conv1.weight: model has float32 [4, 2, 3, 3], state dict has float32 [4, 3, 3, 3]"))
        #expect(message.contains("bn1.num_batches_tracked: model has int64 [], state dict has float32 []"))
        // Nothing was copied.
        assertEqual(block.conv1.weight, before)
    }

    @Test func strictLoadListsAtMostTenKeysOfEachKind() throws {
        let model = try makeSmallCNN()
        let error = try #require(throws: StateDictError.self) { try model.load(StateDict()) }
        #expect(error.missingKeys.count == 15)
        #expect(error.description.contains("15 missing key(s)"))
        #expect(error.description.contains("(5 more)"))
    }

    @Test func lenientLoadReportsInsteadOfThrowing() throws {
        let block = try TinyBlock()
        var state = try TinyBlock().stateDict()
        state["downsample.1.weight"] = nil
        state["downsample.1.bias"] = nil
        state["extra.weight"] = try Tensor.zeros([1])
        let report = try block.load(state, policy: .lenient)
        #expect(report.missing == ["downsample.1.weight", "downsample.1.bias"])
        #expect(report.unexpected == ["extra.weight"])
        #expect(report.mismatched.isEmpty)
        #expect(report.loaded.count == 10)
        #expect(!report.isComplete)
        assertEqual(block.conv1.weight, try state.required("conv1.weight"))
    }

    @Test func allowedMissingKeysAreLimitedToTheFilter() throws {
        let block = try TinyBlock()
        var state = try block.stateDict()
        state["downsample.1.weight"] = nil
        state["conv1.weight"] = nil
        let policy = LoadPolicy(allowedMissingKeys: .prefix("downsample"))
        let error = try #require(throws: StateDictError.self) { try block.load(state, policy: policy) }
        #expect(error.missingKeys == ["conv1.weight"])
        state["conv1.weight"] = try block.conv1.weight.detached()
        #expect(try block.load(state, policy: policy).missing == ["downsample.1.weight"])
    }

    @Test func shapeMismatchesAreSkippedOnlyWhenThePolicySaysSo() throws {
        let model = try makeSmallCNN()
        var state = try makeSmallCNN().stateDict()
        state["classifier.1.weight"] = try Tensor.zeros([10, 16])
        state["classifier.1.bias"] = try Tensor.zeros([10])
        #expect(throws: StateDictError.self) { try model.load(state, policy: .lenient) }
        let head = try #require(model.stateDict()["classifier.1.weight"]).clone()
        let report = try model.load(state, policy: LoadPolicy(skipsShapeMismatches: true))
        #expect(report.mismatched.map(\.key) == ["classifier.1.weight", "classifier.1.bias"])
        #expect(report.mismatched[0].description == "classifier.1.weight: model has float32 [5, 16], state dict has float32 [10, 16]")
        assertEqual(try #require(model.stateDict()["classifier.1.weight"]), head)
    }

    @Test func dtypeConversionOnlyWhenThePolicySaysSo() throws {
        let linear = try Linear(inputFeatures: 2, outputFeatures: 1)
        let state = try StateDict([("weight", Tensor([Double(1), 2], shape: [1, 2])), ("bias", Tensor([Double(3)]))])
        #expect(throws: StateDictError.self) { try linear.load(state) }
        try linear.load(state, policy: LoadPolicy(convertsDTypes: true))
        #expect(linear.weight.dtype == .float32)
        #expect(try linear.weight.hostArray(of: Float.self) == [1, 2])
    }
}
