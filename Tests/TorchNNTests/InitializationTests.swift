// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct InitializationTests {
    @Test func conv2dDrawsPyTorchsDefaultInitialisation() throws {
        // The fixture built nn.Conv2d(6, 4, 3, groups=2) right after torch.manual_seed(1234).
        let fixture = try fixtures()
        let conv = try Conv2d(inputChannels: 6, outputChannels: 4, kernelSize: 3, groups: 2,
                              generator: Generator(seed: 1234))
        assertClose(conv.weight, try fixture.required("conv.weight"), rtol: 0, atol: 1e-7)
        assertClose(try #require(conv.bias), try fixture.required("conv.bias"), rtol: 0, atol: 1e-7)
    }

    @Test func linearDrawsPyTorchsDefaultInitialisation() throws {
        let fixture = try fixtures()
        let linear = try Linear(inputFeatures: 7, outputFeatures: 3, generator: Generator(seed: 99))
        assertClose(linear.weight, try fixture.required("linear.weight"), rtol: 0, atol: 1e-7)
        assertClose(try #require(linear.bias), try fixture.required("linear.bias"), rtol: 0, atol: 1e-7)
    }

    @Test func boundsFollowFanIn() throws {
        let linear = try Linear(inputFeatures: 16, outputFeatures: 200, generator: Generator(seed: 1))
        #expect(try linear.weight.abs().max().item() <= 0.25)   // 1/√16
        #expect(try linear.weight.abs().max().item() > 0.24)
        #expect(try linear.bias!.abs().max().item() <= 0.25)
    }

    @Test func sameSeedSameWeights() throws {
        let a = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 3, generator: Generator(seed: 5))
        let b = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 3, generator: Generator(seed: 5))
        assertEqual(a.weight, b.weight)
        assertEqual(try #require(a.bias), try #require(b.bias))
    }

    @Test func kaimingNormalUsesFanOutAndGain() throws {
        let weight = try Tensor.empty([64, 8, 3, 3])
        try Initialization.kaimingNormal(weight, mode: .fanOut, nonlinearity: .relu, generator: Generator(seed: 2))
        let std = try weight.standardDeviation().item()
        let expected = (2.0 / Double(64 * 9)).squareRoot()
        #expect(abs(std - expected) / expected < 0.05)
        #expect(try Initialization.fans(of: weight) == (fanIn: 72, fanOut: 576))
        #expect(throws: TorchError.self) { try Initialization.fans(of: Tensor.zeros([3])) }
    }

    private func fixtures() throws -> StateDict {
        try Fixtures(bundle: .module).tensors("init")
    }
}

@Suite struct ConversionTests {
    @Test func toDTypeConvertsFloatingTensorsInPlace() throws {
        let model = try makeSmallCNN()
        let weight = try #require(model.parameters().first?.tensor)
        try model.to(dtype: .float64)
        #expect(weight.dtype == .float64)                             // same object, new data
        #expect(model.parameters().allSatisfy { $0.tensor.dtype == .float64 })
        let counters = model.buffers().filter { $0.key.hasSuffix("num_batches_tracked") }
        #expect(counters.count == 2 && counters.allSatisfy { $0.tensor.dtype == .int64 })
        #expect(weight.requiresGradient)
        model.setMode(.evaluation)
        #expect(try model(Tensor.zeros([1, 3, 12, 12], dtype: .float64)).dtype == .float64)
        #expect(throws: TorchError.self) { try model.to(dtype: .int32) }
    }

    @Test func toDTypeConvertsAccumulatedGradients() throws {
        let linear = try Linear(inputFeatures: 2, outputFeatures: 1)
        try linear(Tensor.ones([1, 2])).sum().backward()
        try linear.to(dtype: .float64)
        #expect(try linear.weight.gradient()?.dtype == .float64)
    }

    @Test func moveToTheCurrentDeviceKeepsIdentity() throws {
        let model = try makeSmallCNN()
        let tensors = model.namedTensors().map(\.tensor)
        try model.move(to: .cpu)
        #expect(zip(tensors, model.namedTensors().map(\.tensor)).allSatisfy { $0 === $1 })
        #expect(tensors.allSatisfy { $0.device == .cpu })
    }

    @Test(.enabled(if: Device.isCUDAAvailable)) func moveToCUDAAndBack() throws {
        let model = try makeSmallCNN()
        let fixture = try LayerCase("cnn")
        try model.load(fixture.initialState())
        let weight = try #require(model.parameters().first?.tensor)
        try model.move(to: .cuda(0))
        #expect(weight.device == .cuda(0))
        #expect(model.namedTensors().allSatisfy { $0.tensor.device == .cuda(0) })
        model.setMode(.evaluation)
        let output = try model(fixture.tensor("input").to(device: .cuda(0)))
        assertClose(output, try fixture.tensor("eval.output"), rtol: 1e-4, atol: 1e-4)
        try model.move(to: .cpu)
        #expect(weight.device == .cpu)
    }

    @Test func moveToAMissingDeviceThrows() throws {
        let model = try makeSmallCNN()
        #expect(throws: TorchError.self) { try model.move(to: .cuda(99)) }
    }
}
