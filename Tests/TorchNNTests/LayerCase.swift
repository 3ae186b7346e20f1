// Scalpel — TorchNNTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchTestSupport

/// One case of `scripts/fixtures/fixtures_nn.py`: a torch.nn module's initial state, an input, and its
/// outputs, gradients and buffers in each mode.
struct LayerCase {
    let name: String
    let tensors: StateDict
    /// The module's state_dict keys, in PyTorch's order.
    let keys: [String]

    init(_ name: String) throws {
        self.name = name
        let url = Fixtures(bundle: .module).url(name + ".safetensors")
        let (tensors, metadata) = try SafeTensors.read(contentsOf: url)
        self.tensors = tensors
        struct Description: Decodable { let keys: [String] }
        let json = try #require(metadata["case"], "\(name) has no case metadata")
        keys = try JSONDecoder().decode(Description.self, from: Data(json.utf8)).keys
    }

    func tensor(_ key: String) throws -> Tensor { try tensors.required(key) }

    /// The initial state dict, keys without the `state.` prefix, in PyTorch's order.
    func initialState() throws -> StateDict {
        try StateDict(keys.map { ($0, try tensor("state." + $0)) })
    }

    /// Loads the initial state strictly, runs `layer` in `mode` on the input, back-propagates the stored
    /// upstream gradient and compares output, input gradient, every parameter gradient and every
    /// buffer with PyTorch's.
    func expectParity(_ layer: some Layer, mode: ModuleMode, rtol: Double = 1e-5, atol: Double = 1e-5,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        try layer.load(initialState())
        layer.setMode(mode)
        let prefix = mode == .training ? "train" : "eval"
        let input = try tensor("input").clone().requiringGradient()
        let output = try layer(input)
        assertClose(output, try tensor("\(prefix).output"), rtol: rtol, atol: atol, "\(name) \(prefix) output",
                    sourceLocation: sourceLocation)

        let parameters = layer.parameters()
        let grads = try gradients(of: [output], withRespectTo: [input] + parameters.map(\.tensor),
                                  gradientOutputs: [tensor("upstream")], allowUnused: true)
        assertClose(try #require(grads[0]), try tensor("\(prefix).input_grad"), rtol: rtol, atol: atol,
                    "\(name) \(prefix) input gradient", sourceLocation: sourceLocation)
        for (index, (key, parameter)) in parameters.enumerated() {
            let gradient = try grads[index + 1] ?? parameter.zerosLike()
            assertClose(gradient, try tensor("\(prefix).grad.\(key)"), rtol: rtol, atol: atol,
                        "\(name) \(prefix) gradient of \(key)", sourceLocation: sourceLocation)
        }
        for (key, buffer) in layer.buffers() {
            assertClose(buffer, try tensor("\(prefix).state.\(key)"), rtol: rtol, atol: atol,
                        "\(name) \(prefix) buffer \(key)", sourceLocation: sourceLocation)
        }
    }

    /// Checks that `layer`'s state-dict keys are PyTorch's, in order, with the same shapes and dtypes.
    func expectSameKeys(_ layer: some Module, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let state = try layer.stateDict()
        #expect(state.keys == keys, "\(name) keys", sourceLocation: sourceLocation)
        for (key, value) in state.entries {
            guard let expected = tensors["state." + key] else { continue }
            #expect(value.shape == expected.shape, "\(name) \(key) shape", sourceLocation: sourceLocation)
            #expect(value.dtype == expected.dtype, "\(name) \(key) dtype", sourceLocation: sourceLocation)
        }
    }

    /// Parity in both modes plus the key check, for layers whose computation does not depend on the mode.
    func expectParityInBothModes(_ layer: some Layer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectSameKeys(layer, sourceLocation: sourceLocation)
        try expectParity(layer, mode: .training, sourceLocation: sourceLocation)
        try expectParity(layer, mode: .evaluation, sourceLocation: sourceLocation)
    }
}
