// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// Everything an optimizer needs to resume a run bit-exactly (PyTorch's `optimizer.state_dict()`): the
/// algorithm and each group's hyperparameters, keys and shapes as a small `Codable` record, and the
/// per-parameter state tensors.
///
/// Tensors are keyed `<parameter key>.<slot>` with PyTorch's slot names: `step` (float32 scalar),
/// `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (Adam, AdamW) and `momentum_buffer` (SGD). A parameter
/// that has never had a gradient has no entries. The tensors are copies: stepping the optimizer after
/// ``Optimizer/stateDict()`` does not change them.
///
/// ``write(to:)`` stores both parts in one safetensors file, the record as JSON in its metadata.
public struct OptimizerState {
    /// Metadata key under which ``write(to:)`` stores the JSON record.
    public static let metadataKey = "scalpel.optimizer"

    /// The algorithm, its options and every group's hyperparameters, keys and shapes.
    public var configuration: OptimizerConfiguration
    /// The per-parameter state, keyed `<parameter key>.<slot>`, on the parameters' devices.
    public var tensors: StateDict

    public init(configuration: OptimizerConfiguration, tensors: StateDict) {
        self.configuration = configuration
        self.tensors = tensors
    }

    /// Reads a state written by ``write(to:)``.
    ///
    /// - Throws: `SerializationError` when the file is unreadable or has no optimizer record.
    public init(contentsOf url: URL) throws {
        let (tensors, metadata) = try SafeTensors.read(contentsOf: url)
        guard let json = metadata[Self.metadataKey] else {
            throw SerializationError(source: url.path,
                                     reason: "has no '\(Self.metadataKey)' metadata: not an optimizer state file")
        }
        do {
            configuration = try OptimizerConfiguration(json: Data(json.utf8))
        } catch {
            throw SerializationError(source: url.path, reason: "optimizer record cannot be decoded (\(error))")
        }
        self.tensors = tensors
    }

    /// Writes the tensors (copied to the host) and the JSON record into one safetensors file, atomically.
    public func write(to url: URL) throws {
        let json = String(decoding: try configuration.json(), as: UTF8.self)
        try SafeTensors.write(tensors, metadata: [Self.metadataKey: json], to: url)
    }
}

/// The `Codable` part of an ``OptimizerState``: which algorithm, its optimizer-wide options, and each
/// group's hyperparameters and parameter layout. Fields an algorithm does not have are nil.
public struct OptimizerConfiguration: Codable, Sendable, Equatable {
    /// The layout of this record; bumped when fields change meaning.
    public static let currentFormatVersion = 1

    /// ``currentFormatVersion`` when written by this build; loading refuses any other.
    public var formatVersion: Int
    /// `SGD`, `Adam` or `AdamW`.
    public var optimizer: String
    /// The parameter groups in order.
    public var groups: [Group]
    /// SGD.
    public var dampening: Double?
    /// SGD.
    public var nesterov: Bool?
    /// Adam, AdamW.
    public var eps: Double?
    /// Adam, AdamW.
    public var amsgrad: Bool?
    /// Whether the optimizer ascends.
    public var maximize: Bool

    /// One parameter group: its name, parameter keys and shapes in order, and hyperparameters.
    public struct Group: Codable, Sendable, Equatable {
        public var name: String
        /// The parameters' keys in group order; loading requires the same keys in the same order.
        public var parameterKeys: [String]
        /// The parameters' shapes, aligned with ``parameterKeys``; loading requires the same shapes.
        public var parameterShapes: [[Int]]
        /// The learning rate in effect when the state was taken (a scheduler's latest value).
        public var learningRate: Double
        public var weightDecay: Double
        /// SGD.
        public var momentum: Double?
        /// Adam, AdamW.
        public var beta1: Double?
        /// Adam, AdamW.
        public var beta2: Double?

        public init(name: String, parameterKeys: [String], parameterShapes: [[Int]], learningRate: Double,
                    weightDecay: Double, momentum: Double? = nil, beta1: Double? = nil, beta2: Double? = nil) {
            self.name = name
            self.parameterKeys = parameterKeys
            self.parameterShapes = parameterShapes
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.momentum = momentum
            self.beta1 = beta1
            self.beta2 = beta2
        }
    }

    public init(optimizer: String, groups: [Group], dampening: Double? = nil, nesterov: Bool? = nil,
                eps: Double? = nil, amsgrad: Bool? = nil, maximize: Bool) {
        formatVersion = Self.currentFormatVersion
        self.optimizer = optimizer
        self.groups = groups
        self.dampening = dampening
        self.nesterov = nesterov
        self.eps = eps
        self.amsgrad = amsgrad
        self.maximize = maximize
    }

    /// Decodes the JSON written by ``json()``.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(OptimizerConfiguration.self, from: json)
    }

    /// Pretty-printed JSON with sorted keys. Doubles are written with round-trip precision, so decoding
    /// restores every hyperparameter exactly.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// Reading a saved state back into an optimizer: shared checks and the tensor copies.
extension OptimizerState {
    /// Checks the algorithm name and format version against `optimizer`'s.
    func checkHeader(optimizer: String) throws {
        guard configuration.formatVersion == OptimizerConfiguration.currentFormatVersion else {
            throw OptimizerError.stateMismatch(
                "the state has format version \(configuration.formatVersion); this build reads version "
                    + "\(OptimizerConfiguration.currentFormatVersion)")
        }
        guard configuration.optimizer == optimizer else {
            throw OptimizerError.stateMismatch(
                "the state was saved by \(configuration.optimizer); this optimizer is \(optimizer)")
        }
    }

    /// Throws unless every tensor key is one of `expected`, naming the first few others.
    func checkNoUnexpectedTensors(expected: Set<String>) throws {
        let unexpected = tensors.keys.filter { !expected.contains($0) }
        guard unexpected.isEmpty else {
            throw OptimizerError.stateMismatch(
                "\(unexpected.count) state tensor(s) belong to no parameter slot of this optimizer: "
                    + unexpected.prefix(10).joined(separator: ", "))
        }
    }

    /// A fresh copy of the saved tensor `<key>.<slot>` laid out like `like` (its device, dtype and strides),
    /// or nil when absent. Throws when its shape differs from `like`'s.
    func copy(_ key: String, _ slot: String, like: Tensor) throws -> Tensor? {
        guard let saved = tensors["\(key).\(slot)"] else { return nil }
        guard saved.shape == like.shape else {
            throw OptimizerError.stateMismatch(
                "state tensor '\(key).\(slot)' has shape \(saved.shape); expected \(like.shape)")
        }
        let result = try zerosPreservingLayout(of: like)
        try result.copyInPlace(from: saved)
        return result
    }

    /// A fresh float32 scalar `step` on `device` holding the saved value, or nil when absent.
    func copyStep(_ key: String, on device: Device) throws -> Tensor? {
        guard let saved = tensors["\(key).step"] else { return nil }
        guard saved.elementCount == 1 else {
            throw OptimizerError.stateMismatch(
                "state tensor '\(key).step' has shape \(saved.shape); expected a scalar step count")
        }
        let result = try Tensor.zeros([], dtype: .float32, on: device)
        try result.copyInPlace(from: saved.reshaped(to: []))
        return result
    }
}
