// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchOptim
import TorchTestSupport

private func group(_ name: String = "default", learningRate: Double? = nil, weightDecay: Double? = nil,
                   momentum: Double? = nil, betas: (Double, Double)? = nil) throws -> ParameterGroup {
    ParameterGroup(name: name, parameters: [("\(name).w", try Tensor.ones([2]).requiringGradient())],
                   learningRate: learningRate, weightDecay: weightDecay, momentum: momentum, betas: betas)
}

/// Expects `body` to throw `expected`'s case of ``OptimizerError`` with every fragment in its message.
private func expectError(_ fragments: [String], invalidParameters: Bool = false,
                         sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    let error = #expect(throws: OptimizerError.self, sourceLocation: sourceLocation) { try body() }
    let message: String
    switch error {
    case .invalidHyperparameter(let text)? where !invalidParameters: message = text
    case .invalidParameters(let text)? where invalidParameters: message = text
    default:
        Issue.record("unexpected error \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    for fragment in fragments {
        #expect(message.contains(fragment), "'\(fragment)' not in: \(message)", sourceLocation: sourceLocation)
    }
}

@Suite("Hyperparameter and parameter validation")
struct ValidationTests {
    @Test("SGD rejects what PyTorch rejects")
    func sgd() throws {
        expectError(["learning rate -0.1", ">= 0"]) { _ = try SGD([try group()], learningRate: -0.1) }
        expectError(["learning rate nan"]) { _ = try SGD([try group()], learningRate: .nan) }
        expectError(["momentum -0.5"]) { _ = try SGD([try group()], momentum: -0.5) }
        expectError(["weight decay -0.01"]) { _ = try SGD([try group()], weightDecay: -0.01) }
        expectError(["Nesterov", "momentum > 0", "dampening 0"]) { _ = try SGD([try group()], nesterov: true) }
        expectError(["Nesterov", "dampening 0.1"]) {
            _ = try SGD([try group()], momentum: 0.9, dampening: 0.1, nesterov: true)
        }
        expectError(["group 'head'", "learning rate -1"]) { _ = try SGD([try group("head", learningRate: -1)]) }
        expectError(["group 'head'", "Nesterov"]) {
            _ = try SGD([try group(), try group("head", momentum: 0)], momentum: 0.9, nesterov: true)
        }
        expectError(["betas", "SGD takes momentum"]) { _ = try SGD([try group(betas: (0.9, 0.99))]) }
        // The boundaries PyTorch accepts.
        _ = try SGD([try group()], learningRate: 0, momentum: 0.9, nesterov: true)
    }

    @Test("Adam and AdamW reject what PyTorch rejects")
    func adam() throws {
        for decoupled in [false, true] {
            let make = { (groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), eps: Double,
                          weightDecay: Double) in
                _ = try Adam(groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                             decoupledWeightDecay: decoupled)
            }
            let name = decoupled ? "AdamW" : "Adam"
            expectError([name, "learning rate -0.001"]) { try make([try group()], -1e-3, (0.9, 0.999), 1e-8, 0) }
            expectError([name, "eps -1"]) { try make([try group()], 1e-3, (0.9, 0.999), -1, 0) }
            expectError(["beta1 1.0", "[0, 1)"]) { try make([try group()], 1e-3, (1.0, 0.999), 1e-8, 0) }
            expectError(["beta1 -0.1"]) { try make([try group()], 1e-3, (-0.1, 0.999), 1e-8, 0) }
            expectError(["beta2 1.5"]) { try make([try group()], 1e-3, (0.9, 1.5), 1e-8, 0) }
            expectError(["weight decay -0.1"]) { try make([try group()], 1e-3, (0.9, 0.999), 1e-8, -0.1) }
            expectError(["group 'head'", "beta2 1.0"]) {
                try make([try group("head", betas: (0.9, 1.0))], 1e-3, (0.9, 0.999), 1e-8, 0)
            }
            expectError(["momentum", "takes betas"]) { try make([try group(momentum: 0.9)], 1e-3, (0.9, 0.999), 1e-8, 0) }
            // The boundaries PyTorch accepts.
            try make([try group()], 0, (0, 0), 0, 0)
        }
        expectError(["AdamW", "weight decay -1"]) { _ = try AdamW([try group()], weightDecay: -1) }
    }

    @Test("Setting a learning rate validates it and the group index")
    func setLearningRate() throws {
        let optimizer = try Adam([try group("only")])
        expectError(["group 'only'", "learning rate -1"]) { try optimizer.setLearningRate(-1, forGroup: 0) }
        expectError(["learning rate inf"]) { try optimizer.setLearningRate(.infinity) }
        expectError(["1 parameter group(s)", "no group 3"], invalidParameters: true) {
            try optimizer.setLearningRate(0.1, forGroup: 3)
        }
        #expect(optimizer.learningRates == [1e-3])
    }

    @Test("Unusable parameter groups are refused")
    func parameters() throws {
        expectError(["no parameter groups"], invalidParameters: true) { _ = try SGD([]) }
        expectError(["group 'empty'", "no parameters"], invalidParameters: true) {
            _ = try Adam([ParameterGroup(name: "empty", parameters: [])])
        }
        let shared = try Tensor.ones([2]).requiringGradient()
        expectError(["'w'", "appears twice", "'a'", "'b'"], invalidParameters: true) {
            _ = try SGD([ParameterGroup(name: "a", parameters: [("w", shared)]),
                         ParameterGroup(name: "b", parameters: [("w", try Tensor.ones([2]).requiringGradient())])])
        }
        expectError(["'v'", "'w'", "only one group"], invalidParameters: true) {
            _ = try SGD([ParameterGroup(parameters: [("w", shared), ("v", shared)])])
        }
        expectError(["'n'", "int64", "floating-point"], invalidParameters: true) {
            _ = try SGD([ParameterGroup(parameters: [("n", try Tensor([1, 2] as [Int64]))])])
        }
        let computed = try shared * 2.0
        expectError(["'c'", "not a leaf"], invalidParameters: true) {
            _ = try Adam([ParameterGroup(parameters: [("c", computed)])])
        }
    }

    @Test("Error descriptions say what is wrong")
    func descriptions() {
        #expect(OptimizerError.invalidGradient(key: "fc.weight", reason: "dtype float64 differs").description
            == "invalid gradient for 'fc.weight': dtype float64 differs")
        #expect(OptimizerError.stateMismatch("x").description == "optimizer state does not match: x")
    }
}
