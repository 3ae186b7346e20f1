// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the VGG family for ``Architecture/makeModel(classCount:generator:)``.
enum VGGFactory {
    /// - Throws: ``ArchitectureError`` when `architecture` is not a VGG.
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        try VGG(architecture, classCount: classCount, generator: generator)
    }
}
