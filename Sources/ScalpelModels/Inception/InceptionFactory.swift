// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the Inception family: ``InceptionV3``.
enum InceptionFactory {
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        guard architecture == .inceptionV3 else {
            throw ArchitectureError("\(architecture.rawValue) is not an Inception network")
        }
        return try InceptionV3(classCount: classCount, generator: generator)
    }
}
