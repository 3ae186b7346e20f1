// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport
@testable import TorchNN

/// The eval-mode fast path against the unfused modules: values, input gradients, invalidation and
/// the switch back to training.
@Suite struct InferenceFusionTests {
    /// A convolution + batch norm with non-trivial statistics and affine parameters, in eval mode.
    func makePair(input: Int = 6, output: Int = 8, kernel: Int = 3, stride: Int = 1, groups: Int = 1,
                  bias: Bool = false) throws -> (Conv2d, BatchNorm2d) {
        let g = try Generator(seed: 11)
        let conv = try Conv2d(inputChannels: input, outputChannels: output, kernelSize: Size2d(kernel),
                              stride: Size2d(stride), padding: Size2d(kernel / 2), groups: groups, bias: bias, generator: g)
        return (conv, try evaluationBatchNorm(output, generator: g))
    }

    func input(_ shape: [Int] = [2, 6, 9, 9], seed: UInt64 = 3) throws -> Tensor {
        try Tensor.randn(shape, generator: Generator(seed: seed)).channelsLast()
    }

    @Test(arguments: FusedActivation.allCases)
    func fusedEqualsUnfusedForEachActivation(_ activation: FusedActivation) throws {
        let (conv, norm) = try makePair(stride: 2, bias: true)
        for parameter in [conv.weight, conv.bias!, norm.weight!, norm.bias!] { try parameter.setRequiresGradient(false) }
        let x = try input()
        let residual = try Tensor.randn([2, 8, 5, 5], generator: Generator(seed: 5)).channelsLast()
        for adding in [nil, residual] {
            let expected = try InferenceFusion.with(enabled: false) {
                try conv(x, normalizedBy: norm, activation: activation, adding: adding?.clone())
            }
            if adding == nil { #expect(conv.folded == nil) }
            let fused = try withNoGrad { try conv(x, normalizedBy: norm, activation: activation, adding: adding?.clone()) }
            #expect(conv.folded != nil)
            assertClose(fused, expected, rtol: 1e-4, atol: 1e-5, "\(activation), residual \(adding != nil)")
        }
    }

    /// Under bf16 autocast the convolution runs in libtorch's bf16 kernels, not the float32 fused one.
    @Test func autocastRunsUnfused() throws {
        let (conv, norm) = try makePair()
        try conv.weight.setRequiresGradient(false)
        let x = try input()
        let fp32 = try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu) }
        conv.folded = nil
        let bf16 = try withNoGrad { try withAutocast(.bf16, device: .cpu) { try conv(x, normalizedBy: norm, activation: .relu) } }
        #expect(conv.folded == nil)
        #expect(bf16.dtype == .bfloat16)
        assertClose(try bf16.to(dtype: .float32), fp32, rtol: 3e-2, atol: 3e-2)
    }

    @Test func depthwiseConvolutionFuses() throws {
        let (conv, norm) = try makePair(input: 8, output: 8, kernel: 5, groups: 8)
        try conv.weight.setRequiresGradient(false)
        let x = try input([1, 8, 7, 7])
        let expected = try InferenceFusion.with(enabled: false) { try conv(x, normalizedBy: norm, activation: .relu6) }
        let fused = try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu6) }
        #expect(conv.folded != nil)
        assertClose(fused, expected, rtol: 1e-4, atol: 1e-5)
    }

    @Test(arguments: FusedActivation.allCases)
    func inputAndResidualGradientsEqualUnfused(_ activation: FusedActivation) throws {
        let (conv, norm) = try makePair()
        try conv.weight.setRequiresGradient(false)
        try norm.weight!.setRequiresGradient(false)
        try norm.bias!.setRequiresGradient(false)
        let weights = try Tensor.randn([2, 8, 9, 9], generator: Generator(seed: 9))
        func gradients(fused: Bool) throws -> [Tensor] {
            let x = try input().requiringGradient()
            let residual = try Tensor.randn([2, 8, 9, 9], generator: Generator(seed: 5)).requiringGradient()
            let y = try InferenceFusion.with(enabled: fused) {
                try conv(x, normalizedBy: norm, activation: activation, adding: residual * 1)
            }
            #expect(y.requiresGradient)
            return try Torch.gradients(of: (y * weights).sum(), withRespectTo: [x, residual])
        }
        let expected = try gradients(fused: false)
        let fused = try gradients(fused: true)
        #expect(conv.folded != nil)
        assertClose(fused[0], expected[0], rtol: 1e-4, atol: 1e-5, "input gradient, \(activation)")
        assertClose(fused[1], expected[1], rtol: 1e-4, atol: 1e-5, "residual gradient, \(activation)")
    }

    @Test func trainableParametersUnderAutogradStayUnfused() throws {
        let (conv, norm) = try makePair()
        let x = try input()
        _ = try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu) }  // evaluation between steps
        #expect(conv.folded != nil)
        // A training forward drops the fold: optimizers write parameters without bumping versions.
        let y = try conv(x, normalizedBy: norm, activation: .relu)
        #expect(conv.folded == nil)
        try y.sum().backward()
        #expect(try conv.weight.gradient() != nil)
        #expect(try norm.weight!.gradient() != nil)
    }

    @Test func statisticsChangeRefoldsAndTrainingDropsTheFold() throws {
        let (conv, norm) = try makePair()
        let x = try input()
        _ = try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu) }
        try norm.runningMean!.copyInPlace(from: Tensor.full([8], value: 0.25))
        let expected = try InferenceFusion.with(enabled: false) {
            try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu) }
        }
        let fused = try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu) }
        assertClose(fused, expected, rtol: 1e-4, atol: 1e-5, "after a statistics change")
        norm.mode = .training
        _ = try withNoGrad { try conv(x, normalizedBy: norm, activation: .relu) }
        #expect(conv.folded == nil)
    }

    @Test func sequentialFusesConvolutionNormActivationAndKeepsItsStateDict() throws {
        let (conv, norm) = try makePair()
        let sequential = Sequential([conv, norm, ReLU6()])
        sequential.setMode(.evaluation)
        let before = try sequential.stateDict().entries.map { ($0.key, try $0.tensor.clone()) }
        let x = try input()
        let expected = try InferenceFusion.with(enabled: false) { try withNoGrad { try sequential(x) } }
        let fused = try withNoGrad { try sequential(x) }
        #expect(conv.folded != nil)
        assertClose(fused, expected, rtol: 1e-4, atol: 1e-5)
        let after = try sequential.stateDict()
        #expect(after.entries.map(\.key) == before.map(\.0))
        for (a, b) in zip(after.entries, before) { assertEqual(a.tensor, b.1, a.key) }
    }
}
