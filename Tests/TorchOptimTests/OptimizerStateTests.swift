// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchOptim
import TorchTestSupport

/// A temporary file URL, removed by the caller.
private func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-optim-\(UUID().uuidString)-\(name)")
}

/// Trains `model` end to end for `steps`, halving group 0's learning rate before step 4 (a scheduler's
/// change that the state must carry).
private func train(_ model: TinyModel, _ optimizer: any Optimizer, steps: ClosedRange<Int>) throws {
    for step in steps {
        if step == 4 { try optimizer.setLearningRate(optimizer.learningRate(forGroup: 0) * 0.5, forGroup: 0) }
        try model.computeGradients(optimizer)
        try optimizer.step()
    }
}

private func parameter(_ key: String, _ shape: [Int]) throws -> (key: String, tensor: Tensor) {
    (key, try Tensor.ones(shape).requiringGradient())
}

/// An Adam optimizer over the given parameters after one step with gradient 1 everywhere.
private func steppedAdam(_ parameters: [(key: String, tensor: Tensor)], amsgrad: Bool = false) throws -> Adam {
    let optimizer = try Adam([ParameterGroup(parameters: parameters)], amsgrad: amsgrad)
    for (_, tensor) in parameters { try tensor.sum().backward() }
    try optimizer.step()
    return optimizer
}

/// Expects `body` to throw ``OptimizerError/stateMismatch(_:)`` whose message contains every fragment.
private func expectMismatch(_ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) {
    let error = #expect(throws: OptimizerError.self, sourceLocation: sourceLocation) { try body() }
    guard case .stateMismatch(let message)? = error else {
        Issue.record("expected stateMismatch, got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    for fragment in fragments {
        #expect(message.contains(fragment), "'\(fragment)' not in: \(message)", sourceLocation: sourceLocation)
    }
}

@Suite("Optimizer state dicts")
struct OptimizerStateTests {
    /// Interrupt after 8 of 20 steps, save model parameters and optimizer state (through a file), rebuild
    /// both from scratch, load, continue: the parameters equal the uninterrupted run's bit for bit.
    @Test("Resuming from a saved state is bit-identical to an uninterrupted run", arguments: OptimizerCase.all)
    func resumeIsBitIdentical(_ configuration: OptimizerCase) throws {
        let uninterrupted = try TinyModel()
        let reference = try configuration.make(uninterrupted)
        try train(uninterrupted, reference, steps: 1 ... 20)

        let first = try TinyModel()
        let interrupted = try configuration.make(first)
        try train(first, interrupted, steps: 1 ... 8)
        let snapshot = try first.snapshot()
        let url = temporaryURL("\(configuration.name).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try interrupted.stateDict().write(to: url)

        let resumed = try TinyModel(copying: snapshot, like: first)
        let optimizer = try configuration.make(resumed)
        try optimizer.load(stateDict: try OptimizerState(contentsOf: url))
        #expect(optimizer.learningRates == interrupted.learningRates)
        try train(resumed, optimizer, steps: 9 ... 20)
        for key in TinyModel.keys {
            assertEqual(resumed[key], uninterrupted[key], "\(configuration.name) \(key)")
        }
    }

    @Test("Resuming in memory, without a file, is bit-identical too")
    func resumeInMemory() throws {
        let configuration = OptimizerCase.all.first { $0.name == "adam_amsgrad" }!
        let uninterrupted = try TinyModel()
        let reference = try configuration.make(uninterrupted)
        try train(uninterrupted, reference, steps: 1 ... 12)

        let first = try TinyModel()
        let interrupted = try configuration.make(first)
        try train(first, interrupted, steps: 1 ... 6)
        let state = try interrupted.stateDict()
        let resumed = try TinyModel(copying: try first.snapshot(), like: first)
        let optimizer = try configuration.make(resumed)
        try optimizer.load(stateDict: state)
        try train(resumed, optimizer, steps: 7 ... 12)
        for key in TinyModel.keys {
            assertEqual(resumed[key], uninterrupted[key], key)
        }
    }

    @Test("A state dict is a snapshot: later steps change neither it nor a loaded copy's source")
    func stateIsCopied() throws {
        let model = try TinyModel()
        let optimizer = try Adam([ParameterGroup(parameters: model.allParameters)], learningRate: 0.01)
        try train(model, optimizer, steps: 1 ... 2)
        let state = try optimizer.stateDict()
        let saved = try state.tensors.required("fc1.weight.exp_avg").clone()
        try train(model, optimizer, steps: 3 ... 3)
        assertEqual(try state.tensors.required("fc1.weight.exp_avg"), saved, "after stepping the saver")

        let other = try TinyModel()
        let loaded = try Adam([ParameterGroup(parameters: other.allParameters)])
        try loaded.load(stateDict: state)
        try train(other, loaded, steps: 1 ... 1)
        assertEqual(try state.tensors.required("fc1.weight.exp_avg"), saved, "after stepping the loader")
        #expect(try state.tensors.required("fc1.weight.step").item() == 2)
    }

    @Test("The configuration records every hyperparameter and survives JSON exactly")
    func configurationRecord() throws {
        let model = try TinyModel()
        let optimizer = try SGD([
            ParameterGroup(name: "features", parameters: model.parameters(TinyModel.featureKeys), momentum: 0.5),
            ParameterGroup(name: "head", parameters: model.parameters(TinyModel.headKeys), learningRate: 0.3,
                           weightDecay: 1e-4),
        ], learningRate: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 5e-4)
        try optimizer.setLearningRate(0.1 * 0.95 * 0.95 * 0.95, forGroup: 0)
        let configuration = try optimizer.stateDict().configuration
        #expect(configuration.optimizer == "SGD")
        #expect(configuration.nesterov == true && configuration.dampening == 0 && configuration.maximize == false)
        #expect(configuration.eps == nil && configuration.amsgrad == nil)
        #expect(configuration.groups.map(\.name) == ["features", "head"])
        #expect(configuration.groups[0].learningRate == 0.1 * 0.95 * 0.95 * 0.95)
        #expect(configuration.groups[0].momentum == 0.5 && configuration.groups[1].momentum == 0.9)
        #expect(configuration.groups[1].weightDecay == 1e-4 && configuration.groups[0].weightDecay == 5e-4)
        #expect(configuration.groups[1].parameterKeys == TinyModel.headKeys)
        #expect(configuration.groups[1].parameterShapes == [[3, 8], [3]])
        let decoded = try OptimizerConfiguration(json: try configuration.json())
        #expect(decoded == configuration)

        let adam = try AdamW([ParameterGroup(parameters: model.allParameters, betas: (0.8, 0.99))], eps: 1e-7,
                             amsgrad: true)
        let record = try adam.stateDict().configuration
        #expect(record.optimizer == "AdamW" && record.eps == 1e-7 && record.amsgrad == true)
        #expect(record.groups[0].beta1 == 0.8 && record.groups[0].beta2 == 0.99 && record.groups[0].weightDecay == 1e-2)
        #expect(try OptimizerConfiguration(json: try record.json()) == record)
    }

    @Test("Loading restores the saved hyperparameters")
    func loadRestoresHyperparameters() throws {
        let (key, tensor) = try parameter("w", [2])
        let saver = try Adam([ParameterGroup(parameters: [(key, tensor)], betas: (0.5, 0.6))], learningRate: 0.2,
                             eps: 1e-3, weightDecay: 0.1, amsgrad: true, maximize: true)
        let loader = try Adam([ParameterGroup(parameters: [(key, try Tensor.ones([2]).requiringGradient())])])
        try loader.load(stateDict: try saver.stateDict())
        #expect(loader.learningRates == [0.2])
        #expect(loader.eps == 1e-3 && loader.amsgrad && loader.maximize)
        #expect(loader.groups[0].betas?.0 == 0.5 && loader.groups[0].betas?.1 == 0.6)
        #expect(loader.groups[0].weightDecay == 0.1)
    }

    @Test("A state for a different number of parameters or groups throws")
    func differentCounts() throws {
        let six = try TinyModel()
        let saver = try Adam([ParameterGroup(parameters: six.allParameters)])
        try train(six, saver, steps: 1 ... 1)
        let state = try saver.stateDict()

        let five = try TinyModel()
        let fewer = try Adam([ParameterGroup(parameters: Array(five.allParameters.prefix(5)))])
        expectMismatch(["has 5 parameters", "the state has 6"]) { try fewer.load(stateDict: state) }

        let split = try Adam([ParameterGroup(name: "features", parameters: five.parameters(TinyModel.featureKeys)),
                              ParameterGroup(name: "head", parameters: five.parameters(TinyModel.headKeys))])
        expectMismatch(["2 parameter group(s)", "the state has 1"]) { try split.load(stateDict: state) }
    }

    @Test("A state for parameters of other shapes or keys throws")
    func differentShapesOrKeys() throws {
        let saver = try steppedAdam([try parameter("a", [3]), try parameter("b", [2, 2])])
        let state = try saver.stateDict()

        let reshaped = try Adam([ParameterGroup(parameters: [try parameter("a", [3]), try parameter("b", [4])])])
        expectMismatch(["'b'", "[4]", "[2, 2]"]) { try reshaped.load(stateDict: state) }

        let renamed = try Adam([ParameterGroup(parameters: [try parameter("a", [3]), try parameter("c", [2, 2])])])
        expectMismatch(["'c'", "'b'"]) { try renamed.load(stateDict: state) }
    }

    @Test("A state from another algorithm throws")
    func differentAlgorithm() throws {
        let adamState = try steppedAdam([try parameter("a", [3])]).stateDict()
        let sgd = try SGD([ParameterGroup(parameters: [try parameter("a", [3])])], momentum: 0.9)
        expectMismatch(["saved by Adam", "this optimizer is SGD"]) { try sgd.load(stateDict: adamState) }
        let adamW = try AdamW([ParameterGroup(parameters: [try parameter("a", [3])])])
        expectMismatch(["saved by Adam", "this optimizer is AdamW"]) { try adamW.load(stateDict: adamState) }
        // Adam with decoupled weight decay is AdamW.
        let decoupled = try Adam([ParameterGroup(parameters: [try parameter("a", [3])])], decoupledWeightDecay: true)
        try decoupled.load(stateDict: try adamW.stateDict())
    }

    @Test("Missing, unexpected or misshapen state tensors throw, and a failed load changes nothing")
    func badTensors() throws {
        let state = try steppedAdam([try parameter("a", [3])], amsgrad: true).stateDict()
        #expect(Set(state.tensors.keys) == ["a.step", "a.exp_avg", "a.exp_avg_sq", "a.max_exp_avg_sq"])

        let target = try Adam([ParameterGroup(parameters: [try parameter("a", [3])])], learningRate: 0.05)
        var missing = state
        missing.tensors["a.max_exp_avg_sq"] = nil
        expectMismatch(["'a'", "a.max_exp_avg_sq"]) { try target.load(stateDict: missing) }

        var unexpected = state
        unexpected.tensors["a.momentum_buffer"] = try Tensor.zeros([3])
        expectMismatch(["a.momentum_buffer"]) { try target.load(stateDict: unexpected) }

        var misshapen = state
        misshapen.tensors["a.exp_avg"] = try Tensor.zeros([4])
        expectMismatch(["a.exp_avg", "[4]", "[3]"]) { try target.load(stateDict: misshapen) }

        var futureFormat = state
        futureFormat.configuration.formatVersion = 99
        expectMismatch(["format version 99"]) { try target.load(stateDict: futureFormat) }

        var badHyperparameter = state
        badHyperparameter.configuration.groups[0].beta2 = 1
        #expect(throws: OptimizerError.self) { try target.load(stateDict: badHyperparameter) }

        #expect(target.learningRates == [0.05] && !target.amsgrad)
        #expect(try target.stateDict().tensors.isEmpty)
    }

    @Test("SGD momentum buffers round-trip, and a buffer in a group without momentum throws")
    func sgdBuffers() throws {
        let (key, tensor) = try parameter("w", [2])
        let saver = try SGD([ParameterGroup(parameters: [(key, tensor)])], momentum: 0.9)
        try tensor.sum().backward()
        try saver.step()
        let state = try saver.stateDict()
        #expect(state.tensors.keys == ["w.momentum_buffer"])
        assertEqual(try state.tensors.required("w.momentum_buffer"), try Tensor.ones([2]))

        let noMomentum = try SGD([ParameterGroup(parameters: [try parameter("w", [2])])])
        var inconsistent = state
        inconsistent.configuration.groups[0].momentum = 0
        expectMismatch(["momentum buffer", "momentum 0"]) { try noMomentum.load(stateDict: inconsistent) }
    }

    @Test("A safetensors file without an optimizer record is refused")
    func fileWithoutRecord() throws {
        let url = temporaryURL("plain.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(try StateDict([("x", try Tensor.zeros([1]))]), to: url)
        #expect(throws: SerializationError.self) { try OptimizerState(contentsOf: url) }
    }
}
