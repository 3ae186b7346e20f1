// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import ScalpelTraining
import TorchNN

/// The transfer strategy and its parameters (the `strategy:` section of a run specification; `name`
/// is `--strategy`, `parameters` is `--strategy-params` in its `K=V,K=V` form).
public struct StrategySpecification: Codable, Equatable, Sendable {
    public var name: String = "full"
    /// `K=V` pairs, comma-separated (e.g. `cut=layer3`, `k=2,decay=10`); empty for none.
    public var parameters: String = ""
    /// BatchNorm while training: `auto` (the strategy's own), or a ``BatchNormPolicy`` for every phase.
    public var bnPolicy: String = "auto"

    public init(name: String = "full", parameters: String = "", bnPolicy: String = "auto") {
        self.name = name
        self.parameters = parameters
        self.bnPolicy = bnPolicy
    }

    enum CodingKeys: String, CodingKey {
        case name, parameters, bnPolicy = "bn-policy"
    }

    /// `NAME` or `NAME:K=V,…`: the strategy's label in tables.
    public var label: String { parameters.isEmpty ? name : "\(name):\(parameters)" }

    /// The strategy with its parameters, checked.
    public func transferStrategy() throws -> TransferStrategy {
        var values: [String: String] = [:]
        for pair in parameters.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw TrainingError.invalidOption("--strategy-params: expected NAME=VALUE pairs, got '\(pair)'")
            }
            values[parts[0]] = parts[1]
        }
        return try TransferStrategy(name: name, parameters: values)
    }

    /// The BatchNorm policy that overrides the strategy's own, or nil for `auto`.
    public func batchNormOverride() throws -> BatchNormPolicy? {
        if bnPolicy == "auto" { return nil }
        guard let policy = BatchNormPolicy(rawValue: bnPolicy) else {
            throw ExperimentError("--bn-policy must be auto, train, freeze or freeze-frozen, got '\(bnPolicy)'.")
        }
        return policy
    }

    /// The strategy's phases refining `base`, with the BatchNorm policy applied when it is not `auto`.
    public func phases(model: any Layer, backbone: any Backbone, base: TrainingPhase) throws -> [TrainingPhase] {
        var phases = try transferStrategy().phases(model: model, backbone: backbone, base: base)
        if let policy = try batchNormOverride() {
            for index in phases.indices { phases[index].batchNorm = policy }
        }
        return phases
    }
}
