// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the DenseNet family (being written).
enum DenseNetFactory {
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        throw ArchitectureError("\(architecture.rawValue) is not available in this build yet")
    }
}
