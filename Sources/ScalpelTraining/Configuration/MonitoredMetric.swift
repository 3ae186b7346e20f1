// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0

/// The validation value that picks the best checkpoint, drives a plateau schedule and early stopping.
public enum MonitoredMetric: String, Sendable, Codable, CaseIterable {
    case loss
    case auroc
    case auprc
    case accuracy
    case balancedAccuracy = "balanced-accuracy"

    /// Whether larger is better (every metric but the loss).
    public var maximize: Bool { self != .loss }

    /// The metric called `name` (CLI spelling); throws listing the valid names otherwise.
    public init(named name: String) throws {
        guard let metric = MonitoredMetric(rawValue: name.lowercased()) else {
            throw TrainingError.invalidOption(
                "unknown metric '\(name)'. Valid: \(MonitoredMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = metric
    }
}
