// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct PoolingTests {
    @Test func maxPool() throws {
        try LayerCase("maxpool_basic").expectParityInBothModes(MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func maxPoolCeilMode() throws {
        try LayerCase("maxpool_ceil").expectParityInBothModes(MaxPool2d(kernelSize: 3, stride: 2, ceilMode: true))
    }

    @Test func maxPoolDilationAndRectangularKernel() throws {
        let pool = MaxPool2d(kernelSize: Size2d(2, 3), stride: 1, dilation: 2)
        try LayerCase("maxpool_dilation").expectParityInBothModes(pool)
    }

    @Test func maxPoolStrideDefaultsToKernel() {
        #expect(MaxPool2d(kernelSize: 2).stride == 2)
        #expect(AvgPool2d(kernelSize: Size2d(2, 3)).stride == Size2d(2, 3))
    }

    @Test func avgPool() throws {
        try LayerCase("avgpool_basic").expectParityInBothModes(AvgPool2d(kernelSize: 2))
    }

    @Test func avgPoolPaddingCeilModeExcludingPadding() throws {
        let pool = AvgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludesPadding: false)
        try LayerCase("avgpool_padding_ceil_exclude").expectParityInBothModes(pool)
    }

    @Test func avgPoolPaddingIncludedInCount() throws {
        try LayerCase("avgpool_padding_include").expectParityInBothModes(AvgPool2d(kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func adaptiveAveragePoolToOne() throws {
        try LayerCase("adaptive_avg_1").expectParityInBothModes(AdaptiveAvgPool2d(outputSize: 1))
    }

    @Test func adaptiveAveragePoolToThree() throws {
        try LayerCase("adaptive_avg_3").expectParityInBothModes(AdaptiveAvgPool2d(outputSize: 3))
    }

    @Test func handComputedMaxAndAverage() throws {
        let input = try Tensor([Float(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], shape: [1, 1, 4, 4])
        #expect(try MaxPool2d(kernelSize: 2)(input).hostArray(of: Float.self) == [6, 8, 14, 16])
        #expect(try AvgPool2d(kernelSize: 2)(input).hostArray(of: Float.self) == [3.5, 5.5, 11.5, 13.5])
        #expect(try AdaptiveAvgPool2d(outputSize: 1)(input).hostArray(of: Float.self) == [8.5])
    }

    @Test func wrongInputThrowsTorchError() throws {
        #expect(throws: TorchError.self) { try MaxPool2d(kernelSize: 2)(Tensor.zeros([4, 4])) }
        #expect(throws: TorchError.self) { try AvgPool2d(kernelSize: 5)(Tensor.zeros([1, 1, 3, 3])) }
        #expect(throws: TorchError.self) { try MaxPool2d(kernelSize: 2, padding: 2)(Tensor.zeros([1, 1, 8, 8])) }
        #expect(throws: TorchError.self) { try AdaptiveAvgPool2d(outputSize: 2)(Tensor.zeros([2, 2, 2, 2, 2])) }
    }
}

@Suite struct ShapeLayerTests {
    @Test func flattenDefault() throws {
        let flatten = Flatten()
        #expect(try flatten(Tensor.zeros([2, 3, 4, 5])).shape == [2, 60])
        try LayerCase("flatten_default").expectParityInBothModes(flatten)
    }

    @Test func flattenMiddleAxes() throws {
        let flatten = Flatten(startAxis: 1, endAxis: 2)
        #expect(try flatten(Tensor.zeros([2, 3, 4, 5])).shape == [2, 12, 5])
        try LayerCase("flatten_middle").expectParityInBothModes(flatten)
    }

    @Test func flattenOutOfRangeAxisThrows() {
        #expect(throws: TorchError.self) { try Flatten(startAxis: 3)(Tensor.zeros([2, 3])) }
    }

    @Test func identity() throws {
        let identity = Identity()
        try LayerCase("identity").expectParityInBothModes(identity)
        let input = try Tensor.ones([2, 3])
        #expect(try identity(input) === input)
    }
}
