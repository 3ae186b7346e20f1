// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct DropoutTests {
    @Test func evaluationIsTheIdentity() throws {
        let fixture = try LayerCase("dropout")
        let dropout = Dropout(probability: 0.4)
        try fixture.expectParity(dropout, mode: .evaluation)
        dropout.setMode(.evaluation)
        let input = try fixture.tensor("input")
        #expect(try dropout(input) === input)
    }

    @Test func trainingMatchesPyTorchsMaskForTheSameSeed() throws {
        // The fixture drew its mask after torch.manual_seed(77).
        let dropout = Dropout(probability: 0.4, generator: try Generator(seed: 77))
        try LayerCase("dropout").expectParity(dropout, mode: .training)
    }

    @Test func trainingZeroesAndRescales() throws {
        let dropout = Dropout(probability: 0.5, generator: try Generator(seed: 1))
        let output = try dropout(Tensor.ones([1000])).hostArray(of: Float.self)
        #expect(output.allSatisfy { $0 == 0 || $0 == 2 })
        let zeros = output.filter { $0 == 0 }.count
        #expect(zeros > 400 && zeros < 600)
    }

    @Test func isModeDependentAndHasNoKeys() throws {
        let dropout = Dropout()
        #expect(dropout.isTraining)
        dropout.setMode(.evaluation)
        #expect(!dropout.isTraining)
        #expect(try dropout.stateDict().isEmpty)
    }
}
