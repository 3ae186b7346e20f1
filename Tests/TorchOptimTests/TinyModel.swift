// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchOptim
import TorchTestSupport

/// The fixture model of `scripts/fixtures/fixtures_optim.py`: conv 3×3 (1 → 4) → relu → flatten →
/// linear 36 → 8 → relu → linear 8 → 3, trained with MSE on one fixed batch. 363 parameters.
struct TinyModel {
    static let keys = ["conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    static let featureKeys = Array(keys.prefix(4))
    static let headKeys = Array(keys.suffix(2))
    static var fixtures: Fixtures { Fixtures(bundle: .module) }

    /// Fresh leaf tensors requiring gradients, keyed as in the fixture.
    let parameters: [String: Tensor]
    let input: Tensor
    let target: Tensor

    /// The fixture's initial weights and batch, converted to `dtype`.
    init(dtype: DType = .float32) throws {
        let initial = try Self.fixtures.tensors("optim_initial")
        parameters = try Dictionary(uniqueKeysWithValues: Self.keys.map { key in
            (key, try initial.required("param.\(key)").to(dtype: dtype).clone().requiringGradient())
        })
        input = try initial.required("input").to(dtype: dtype)
        target = try initial.required("target").to(dtype: dtype)
    }

    /// Parameters continuing from `snapshot` (fresh tensors holding its values).
    init(copying snapshot: [String: Tensor], like model: TinyModel) throws {
        parameters = try snapshot.mapValues { try $0.clone().requiringGradient() }
        input = model.input
        target = model.target
    }

    subscript(key: String) -> Tensor { parameters[key]! }

    /// One group of every parameter, in fixture order.
    var allParameters: [(key: String, tensor: Tensor)] { Self.keys.map { ($0, self[$0]) } }

    func parameters(_ keys: [String]) -> [(key: String, tensor: Tensor)] { keys.map { ($0, self[$0]) } }

    /// Copies of the current values, outside autograd.
    func snapshot() throws -> [String: Tensor] {
        try parameters.mapValues { try $0.detached().clone() }
    }

    func forward() throws -> Tensor {
        var hidden = try input.conv2d(weight: self["conv.weight"], bias: self["conv.bias"]).relu()
        hidden = try hidden.flattened(from: 1)
        hidden = try hidden.linear(weight: self["fc1.weight"], bias: self["fc1.bias"]).relu()
        return try hidden.linear(weight: self["fc2.weight"], bias: self["fc2.bias"])
    }

    /// Zeroes the gradients, computes the loss and back-propagates; returns the loss.
    @discardableResult
    func computeGradients(_ optimizer: any Optimizer) throws -> Tensor {
        try optimizer.zeroGradients()
        let loss = try meanSquaredError(forward(), target)
        try loss.backward()
        return loss
    }

    /// Sets every parameter's `.grad` to exactly `gradients[key]` (by back-propagating `sum(p · g)`).
    func setGradients(_ gradients: [String: Tensor]) throws {
        for (key, parameter) in parameters {
            try parameter.zeroGradient()
            guard let gradient = gradients[key] else { continue }
            try (parameter * gradient.to(dtype: parameter.dtype)).sum().backward()
        }
    }
}

/// One optimizer configuration of the fixtures, built the same way in Swift.
struct OptimizerCase: CustomTestStringConvertible, Sendable {
    let name: String
    let make: @Sendable (TinyModel) throws -> any Optimizer

    var testDescription: String { name }

    /// The fixture `optim_<name>.safetensors`.
    func fixture() throws -> StateDict { try TinyModel.fixtures.tensors("optim_\(name)") }

    static let all: [OptimizerCase] = [
        OptimizerCase(name: "sgd_plain") { try SGD([ParameterGroup(parameters: $0.allParameters)], learningRate: 0.1) },
        OptimizerCase(name: "sgd_momentum") {
            try SGD([ParameterGroup(parameters: $0.allParameters)], learningRate: 0.05, momentum: 0.9, dampening: 0.1)
        },
        OptimizerCase(name: "sgd_nesterov_wd") {
            try SGD([ParameterGroup(parameters: $0.allParameters)], learningRate: 0.05, momentum: 0.9, nesterov: true,
                    weightDecay: 1e-2)
        },
        OptimizerCase(name: "sgd_maximize") {
            try SGD([ParameterGroup(parameters: $0.allParameters)], learningRate: 0.01, momentum: 0.5, maximize: true)
        },
        OptimizerCase(name: "sgd_groups") { model in
            try SGD([
                ParameterGroup(name: "features", parameters: model.parameters(TinyModel.featureKeys), learningRate: 0.01,
                               weightDecay: 1e-3),
                ParameterGroup(name: "head", parameters: model.parameters(TinyModel.headKeys), weightDecay: 0.1,
                               momentum: 0.5),
            ], learningRate: 0.05, momentum: 0.9)
        },
        OptimizerCase(name: "adam") { try Adam([ParameterGroup(parameters: $0.allParameters)], learningRate: 1e-2) },
        OptimizerCase(name: "adam_wd") {
            try Adam([ParameterGroup(parameters: $0.allParameters)], learningRate: 1e-2, weightDecay: 1e-2)
        },
        OptimizerCase(name: "adam_amsgrad") {
            try Adam([ParameterGroup(parameters: $0.allParameters)], learningRate: 1e-2, amsgrad: true)
        },
        OptimizerCase(name: "adam_maximize") {
            try Adam([ParameterGroup(parameters: $0.allParameters)], learningRate: 1e-3, maximize: true)
        },
        OptimizerCase(name: "adamw") { try AdamW([ParameterGroup(parameters: $0.allParameters)], learningRate: 1e-2) },
        OptimizerCase(name: "adamw_groups") { model in
            try AdamW([
                ParameterGroup(name: "features", parameters: model.parameters(TinyModel.featureKeys),
                               learningRate: 1e-3, weightDecay: 0),
                ParameterGroup(name: "head", parameters: model.parameters(TinyModel.headKeys), weightDecay: 0.1,
                               betas: (0.8, 0.99)),
            ], learningRate: 1e-2, betas: (0.9, 0.999))
        },
    ]
}

/// The steps after which the fixtures store parameters.
let savedSteps: Set<Int> = [1, 5, 20]
