// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds the EfficientNet-Lite family: ``EfficientNetLite`` (Lite0, Lite1, Lite2).
enum EfficientNetLiteFactory {
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        try EfficientNetLite(architecture, classCount: classCount, generator: generator)
    }
}
