// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport
@testable import TorchNN

/// A batch norm in eval mode with non-trivial statistics and affine parameters drawn from `g`.
func evaluationBatchNorm(_ channels: Int, generator g: Generator) throws -> BatchNorm2d {
    let norm = try BatchNorm2d(featureCount: channels, eps: 1e-3)
    try norm.runningMean!.copyInPlace(from: Tensor.randn([channels], generator: g) * 0.5)
    try norm.runningVariance!.copyInPlace(from: Tensor.rand([channels], generator: g) + 0.5)
    try withNoGrad {
        try norm.weight!.copyInPlace(from: Tensor.randn([channels], generator: g))
        try norm.bias!.copyInPlace(from: Tensor.randn([channels], generator: g))
    }
    norm.mode = .evaluation
    return norm
}

/// The eval-mode fast path for DenseNet's pre-activation order (batch norm, ReLU, convolution), for
/// convolutions no batch norm follows, and the strided stem's input gradient, against the unfused modules.
@Suite struct PreActivationFusionTests {
    func makeNorm(_ channels: Int, seed: UInt64) throws -> BatchNorm2d {
        try evaluationBatchNorm(channels, generator: Generator(seed: seed))
    }

    func input(_ shape: [Int], seed: UInt64 = 3) throws -> Tensor {
        try Tensor.randn(shape, generator: Generator(seed: seed)).channelsLast()
    }

    /// Output and input gradient of `model` with the fast path on and off (parameters frozen).
    func fusedAndUnfused(_ model: any Layer, input x: Tensor) throws -> (fused: [Tensor], unfused: [Tensor]) {
        try model.freeze(matching: .all)
        func run(_ enabled: Bool) throws -> [Tensor] {
            try InferenceFusion.with(enabled: enabled) {
                let inputs = try x.detached().requiringGradient()
                let y = try model(inputs)
                let weights = try Tensor.randn(y.shape, generator: Generator(seed: 21))
                let gradient = try gradients(of: (y * weights).sum(), withRespectTo: [inputs])[0]
                return [y, gradient]
            }
        }
        let unfused = try run(false)
        return (try run(true), unfused)
    }

    @Test(arguments: [true, false])
    func preActivatedConvolutionEqualsUnfused(followedByNorm: Bool) throws {
        let conv = try Conv2d(inputChannels: 6, outputChannels: 8, kernelSize: 3, padding: 1, bias: !followedByNorm,
                              generator: Generator(seed: 5))
        var layers: [any Layer] = [try makeNorm(6, seed: 1), ReLU(), conv]
        if followedByNorm { layers += [try makeNorm(8, seed: 2), ReLU()] }
        let model = Sequential(layers)
        let (fused, unfused) = try fusedAndUnfused(model, input: input([2, 6, 9, 9]))
        #expect(conv.folded != nil, "the run was not fused")
        assertClose(fused[0], unfused[0], rtol: 1e-4, atol: 1e-5, "output")
        assertClose(fused[1], unfused[1], rtol: 1e-4, atol: 1e-5, "input gradient")
    }

    /// A 7×7 stride-2 stem on RGB (ResNet, DenseNet) and a 5×5 stride-3 one on grey, odd sizes: the input
    /// gradient goes through the space-to-depth convolution, which must cover every border phase.
    @Test(arguments: [(3, 7, 2, 3, 33, 31), (1, 5, 3, 1, 20, 23)])
    func stridedStemInputGradientEqualsUnfused(_ shape: (Int, Int, Int, Int, Int, Int)) throws {
        let (channels, kernel, stride, padding, height, width) = shape
        let conv = try Conv2d(inputChannels: channels, outputChannels: 16, kernelSize: Size2d(kernel),
                              stride: Size2d(stride), padding: Size2d(padding), bias: false, generator: Generator(seed: 7))
        let model = Sequential([conv, try makeNorm(16, seed: 4), ReLU()])
        let (fused, unfused) = try fusedAndUnfused(model, input: input([2, channels, height, width]))
        #expect(conv.folded != nil, "the stem was not fused")
        assertClose(fused[0], unfused[0], rtol: 1e-4, atol: 1e-5, "output")
        #expect(fused[1].shape == [2, channels, height, width])
        assertClose(fused[1], unfused[1], rtol: 1e-4, atol: 1e-5, "input gradient")
    }

    @Test func trainingDropsTheFoldAndStatisticsChangesRefold() throws {
        let before = try makeNorm(6, seed: 1)
        let conv = try Conv2d(inputChannels: 6, outputChannels: 8, kernelSize: 1, generator: Generator(seed: 5))
        let model = Sequential([before, ReLU(), conv])
        let x = try input([2, 6, 5, 5])
        _ = try withNoGrad { try model(x) }
        #expect(conv.folded != nil)
        _ = try fusedAndUnfused(model, input: x)  // the scaled weight for the backward is made
        try before.runningVariance!.copyInPlace(from: Tensor.full([6], value: 2.0))
        let (fused, unfused) = try fusedAndUnfused(model, input: x)
        assertClose(fused[0], unfused[0], rtol: 1e-4, atol: 1e-5, "output after the statistics changed")
        assertClose(fused[1], unfused[1], rtol: 1e-4, atol: 1e-5, "input gradient after the statistics changed")
        model.setMode(.training)
        _ = try model(x)
        #expect(conv.folded == nil, "training kept the fold")
    }
}
