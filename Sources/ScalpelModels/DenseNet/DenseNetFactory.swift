// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the DenseNet family for ``Architecture/makeModel(classCount:generator:)``.
enum DenseNetFactory {
    /// - Throws: ``ArchitectureError`` when `architecture` is not a DenseNet.
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        try DenseNet(architecture, classCount: classCount, generator: generator)
    }
}
