// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the VGG family (being written).
enum VGGFactory {
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        throw ArchitectureError("\(architecture.rawValue) is not available in this build yet")
    }
}
