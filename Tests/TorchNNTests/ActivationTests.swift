// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport

@Suite struct ActivationTests {
    /// The module for a fixture name.
    static func makeActivation(_ name: String) -> any Layer {
        switch name {
        case "relu": ReLU()
        case "relu6": ReLU6()
        case "silu": SiLU()
        case "sigmoid": Sigmoid()
        case "hardswish": Hardswish()
        case "hardsigmoid": Hardsigmoid()
        case "gelu": GELU()
        case "gelu_tanh": GELU(approximation: .tanh)
        default: preconditionFailure("no activation named \(name)")
        }
    }

    @Test(arguments: ["relu", "relu6", "silu", "sigmoid", "hardswish", "hardsigmoid", "gelu", "gelu_tanh"])
    func parity(name: String) throws {
        try LayerCase(name).expectParityInBothModes(Self.makeActivation(name))
    }

    @Test func handComputed() throws {
        let input = try Tensor([Float(-7), -1, 0, 2, 8])
        func expect(_ layer: any Layer, _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) throws {
            assertClose(try layer(input), try Tensor(expected), rtol: 1e-6, atol: 1e-6, "\(type(of: layer))",
                        sourceLocation: sourceLocation)
        }
        try expect(ReLU(), [0, 0, 0, 2, 8])
        try expect(ReLU6(), [0, 0, 0, 2, 6])
        try expect(Hardsigmoid(), [0, 1.0 / 3, 0.5, 5.0 / 6, 1])
        try expect(Hardswish(), [0, -1.0 / 3, 0, 2 * 5.0 / 6, 8])
        try expect(Sigmoid(), [0.000911051, 0.268941421, 0.5, 0.880797078, 0.999664650])
        try expect(SiLU(), [-0.006377358, -0.268941421, 0, 1.761594156, 7.997317203])
        try expect(GELU(), [0, -0.158655254, 0, 1.954499736, 8])
    }

    @Test func haveNoStateDictKeys() throws {
        for name in ["relu", "relu6", "silu", "sigmoid", "hardswish", "hardsigmoid", "gelu"] {
            #expect(try Self.makeActivation(name).stateDict().isEmpty)
        }
    }
}
