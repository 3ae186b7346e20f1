// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// What a dataset asks of a classifier (MedMNIST's task names as raw values).
public enum ClassificationTask: String, Sendable, Equatable, Codable {
    /// Two classes, one label per image.
    case binary = "binary-class"
    /// More than two classes, one label per image.
    case multiClass = "multi-class"
    /// Ordered grades, one label per image (RetinaMNIST).
    case ordinal = "ordinal-regression"
    /// One 0/1 label per class per image (ChestMNIST).
    case multiLabel = "multi-label, binary-class"
}
