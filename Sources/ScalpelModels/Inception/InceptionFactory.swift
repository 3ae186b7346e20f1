// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the Inception family (being written).
enum InceptionFactory {
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        throw ArchitectureError("\(architecture.rawValue) is not available in this build yet")
    }
}
