// Scalpel — TorchTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchTestSupport

/// `reluInPlace()` and `addRecordingInPlace(_:)` give the values and gradients of their out-of-place
/// forms where PyTorch allows them (after a batch norm, on a sum), and autograd refuses them where
/// backward needs the overwritten value.
@Suite struct InPlaceAutogradTests {
    /// A basic residual block as torchvision writes it: relu_ after the first batch norm, then the sum
    /// into the second batch norm's output and relu_ on the sum.
    func residualUnit(_ x: Tensor, _ weight: Tensor, inPlace: Bool) throws -> Tensor {
        func normalised(_ input: Tensor) throws -> Tensor {
            try input.conv2d(weight: weight, padding: (1, 1))
                .batchNorm(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true)
        }
        if inPlace {
            return try normalised(normalised(x).reluInPlace()).addRecordingInPlace(x).reluInPlace()
        }
        return try (normalised(normalised(x).relu()) + x).relu()
    }

    @Test func valuesAndGradientsEqualTheOutOfPlaceForms() throws {
        let generator = try Generator(seed: 4)
        let x = try Tensor.randn([2, 3, 5, 5], generator: generator).requiringGradient()
        let weight = try Tensor.randn([3, 3, 3, 3], generator: generator).requiringGradient()
        let reference = try residualUnit(x, weight, inPlace: false)
        let expected = try gradients(of: reference.sum(), withRespectTo: [x, weight])
        let result = try residualUnit(x, weight, inPlace: true)
        let actual = try gradients(of: result.sum(), withRespectTo: [x, weight])
        assertClose(result, reference)
        assertClose(actual[0], expected[0], rtol: 1e-5, atol: 1e-6, "d/dx")
        assertClose(actual[1], expected[1], rtol: 1e-5, atol: 1e-6, "d/dweight")
    }

    @Test func autogradRefusesAnInPlaceChangeBackwardNeeds() throws {
        let x = try Tensor.randn([4]).requiringGradient()
        let y = try x.sigmoid()  // sigmoid's backward reads its output
        try y.reluInPlace()
        let error = #expect(throws: TorchError.self) { try y.sum().backward() }
        #expect(error?.message.contains("modified by an inplace operation") == true)
    }

    @Test func aLeafThatRequiresGradientsCannotBeChangedInPlace() throws {
        let x = try Tensor.randn([3]).requiringGradient()
        #expect(throws: TorchError.self) { try x.reluInPlace() }
    }
}
