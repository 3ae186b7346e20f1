// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Input a transferability score cannot use; the message says what was given and what is needed.
public struct TransferabilityError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Checks shared by every score: [N, D] features, N labels in 0..<C with at least two classes present.
enum TransferabilityInput {
    /// The class count C = max(label) + 1 after the checks.
    static func classCount(labels: [Int], datapoints: Int, _ score: String) throws -> Int {
        guard labels.count == datapoints else {
            throw TransferabilityError("\(score): \(datapoints) feature rows but \(labels.count) labels; give one label per image")
        }
        guard let low = labels.min(), let high = labels.max(), low >= 0 else {
            throw TransferabilityError("\(score): labels must be class indices ≥ 0" + (labels.isEmpty ? " (none given)" : ""))
        }
        guard high < 100_000 else { throw TransferabilityError("\(score): label \(high) is not a plausible class index (≥ 100000)") }
        guard Set(labels).count >= 2 else {
            throw TransferabilityError("\(score): only class \(low) occurs; a transferability score needs at least two classes")
        }
        return high + 1
    }

    /// `features` as a float64 [N, D] matrix, checked against the labels.
    static func features(_ features: Tensor, labels: [Int], _ score: String) throws -> (Tensor, classes: Int) {
        guard features.rank == 2 else {
            throw TransferabilityError("\(score): features must be [images, features]; got shape \(features.shape)")
        }
        let classes = try classCount(labels: labels, datapoints: features.shape[0], score)
        return (try features.to(dtype: .float64), classes)
    }

    /// One-hot [N, C] float64 labels on `device`.
    static func oneHot(_ labels: [Int], classes: Int, on device: Device) throws -> Tensor {
        try Tensor(labels.map(Int64.init)).oneHot(classCount: classes).to(dtype: .float64).to(device: device)
    }
}
