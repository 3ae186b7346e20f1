// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct LinearTests {
    @Test func basic() throws {
        try LayerCase("linear_basic").expectParityInBothModes(Linear(inputFeatures: 5, outputFeatures: 3))
    }

    @Test func withoutBiasOnAThreeDimensionalInput() throws {
        let linear = try Linear(inputFeatures: 5, outputFeatures: 2, bias: false)
        #expect(!linear.hasBias)
        try LayerCase("linear_nobias_3d").expectParityInBothModes(linear)
    }

    @Test func handComputed() throws {
        let linear = try Linear(inputFeatures: 2, outputFeatures: 1)
        try linear.load(StateDict([("weight", Tensor([Float(2), -1], shape: [1, 2])), ("bias", Tensor([Float(0.5)]))]))
        let output = try linear(Tensor([Float(3), 4, 1, 1], shape: [2, 2]))
        #expect(try output.hostArray(of: Float.self) == [2.5, 1.5])
    }

    @Test func wrongInputThrowsTorchError() throws {
        let linear = try Linear(inputFeatures: 5, outputFeatures: 3)
        #expect(throws: TorchError.self) { try linear(Tensor.zeros([4, 6])) }
    }
}
