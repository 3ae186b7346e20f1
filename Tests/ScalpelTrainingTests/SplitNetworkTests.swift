// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchNN
import TorchTestSupport
import ScalpelModels
@testable import ScalpelTraining

/// Every network a strategy trains splits at its cut points: the activation there, continued with
/// `forward(from:_:)`, gives the network's own logits — for full, truncated, MLP-head and
/// TransFusion networks.
@Suite(.serialized) struct SplitNetworkTests {
    static let strategies: [(String, [String: String])] = [
        ("full", [:]),
        ("truncated", ["cut": "layer2"]),
        ("linear-probe", ["head": "mlp", "hidden": "8"]),
        ("transfusion", ["cut": "layer2", "width-divisor": "2"]),
    ]

    func network(_ name: String, _ parameters: [String: String]) throws -> any SplitNetwork {
        let backbone = try Architecture.resnet18.makeModel(classCount: 3, generator: try Generator(seed: 1))
        let network = try TransferStrategy(name: name, parameters: parameters)
            .makeModel(from: backbone, classCount: 3, generator: try Generator(seed: 2))
        network.setMode(.evaluation)
        return network
    }

    @Test(arguments: 0..<strategies.count)
    func splitAtEveryBlockGivesTheNetworksLogits(_ index: Int) throws {
        let (name, parameters) = Self.strategies[index]
        let network = try network(name, parameters)
        let input = try Tensor.randn([2, 3, 32, 32], generator: try Generator(seed: 3))
        try withNoGrad {
            let logits = try network(input)
            #expect(logits.shape == [2, 3])
            let cuts = network.cutPoints(.block)
            #expect(cuts.count >= 3, "\(name): \(cuts.map(\.name))")
            let activations = try network.forwardIntermediates(input, at: cuts)
            for (cut, activation) in zip(cuts, activations) {
                #expect(activation.shape[1] == cut.channels, "\(name) at \(cut.name)")
                assertClose(try network.forward(from: cut, activation), logits, rtol: 1e-5, atol: 1e-5, "\(name) at \(cut.name)")
            }
            assertClose(try network.forwardHead(network.forwardFeatures(input)), logits, rtol: 1e-5, atol: 1e-5, name)
        }
    }

    @Test func truncatedNetworkEndsAtItsCut() throws {
        let network = try network("truncated", ["cut": "layer2"])
        #expect(network.cutPoints(.block).map(\.name).last == "layer2")
        let error = #expect(throws: CutPointError.self) { try network.cutPoint(named: "layer4") }
        #expect(error?.description.contains("layer2") == true)
        let full = try Architecture.resnet18.makeModel(classCount: 3)
        let outside = try full.cutPoint(named: "layer3")
        #expect(throws: CutPointError.self) { try network.forward(from: outside, Tensor.zeros([1, 256, 2, 2])) }
    }

    @Test func mlpHeadNetworkKeepsTheBackbonesCutPoints() throws {
        let network = try network("linear-probe", ["head": "mlp", "hidden": "8"])
        let backbone = try Architecture.resnet18.makeModel(classCount: 3)
        #expect(network.cutPoints == backbone.cutPoints)
        #expect(network.architecture == .resnet18)
    }
}
