// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct Conv2dTests {
    @Test func basic() throws {
        let conv = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3, padding: 1)
        try LayerCase("conv_basic").expectParityInBothModes(conv)
    }

    @Test func strideAndPaddingWithoutBias() throws {
        let conv = try Conv2d(inputChannels: 3, outputChannels: 5, kernelSize: 3, stride: 2, padding: 2, bias: false)
        #expect(!conv.hasBias)
        #expect(conv.namedParameters.map(\.0) == ["weight"])
        try LayerCase("conv_stride_padding_nobias").expectParityInBothModes(conv)
    }

    @Test func rectangularKernelWithDilation() throws {
        let conv = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: Size2d(3, 2), stride: Size2d(1, 2),
                              padding: Size2d(2, 1), dilation: Size2d(2, 1))
        #expect(conv.weight.shape == [3, 2, 3, 2])
        try LayerCase("conv_dilation_rect").expectParityInBothModes(conv)
    }

    @Test func groups() throws {
        let conv = try Conv2d(inputChannels: 4, outputChannels: 6, kernelSize: 3, padding: 1, groups: 2)
        #expect(conv.weight.shape == [6, 2, 3, 3])
        try LayerCase("conv_groups").expectParityInBothModes(conv)
    }

    @Test func depthwise() throws {
        let conv = try Conv2d(inputChannels: 4, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, groups: 4)
        #expect(conv.weight.shape == [4, 1, 3, 3])
        try LayerCase("conv_depthwise").expectParityInBothModes(conv)
    }

    @Test func hasTrainableParametersWithTorchKeys() throws {
        let conv = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3)
        #expect(conv.parameters().map(\.key) == ["weight", "bias"])
        #expect(conv.parameters().allSatisfy { $0.tensor.requiresGradient })
        #expect(conv.buffers().isEmpty)
        #expect(conv.parameterCount == 4 * 3 * 9 + 4)
    }

    @Test func wrongInputThrowsTorchError() throws {
        let conv = try Conv2d(inputChannels: 3, outputChannels: 4, kernelSize: 3)
        #expect(throws: TorchError.self) { try conv(Tensor.zeros([1, 2, 8, 8])) }       // channel count
        #expect(throws: TorchError.self) { try conv(Tensor.zeros([8, 8])) }             // rank
        #expect(throws: TorchError.self) { try conv(Tensor.zeros([1, 3, 2, 2])) }       // smaller than the kernel
        #expect(throws: TorchError.self) { try conv(Tensor.zeros([1, 3, 8, 8], dtype: .float64)) }  // dtype
    }
}
