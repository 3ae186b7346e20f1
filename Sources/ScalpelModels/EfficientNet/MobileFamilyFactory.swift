// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Builds torchvision's mobile family: EfficientNet-B0…B3 (``EfficientNet``), MobileNetV2
/// (``MobileNetV2``) and MobileNetV3-Large (``MobileNetV3``), with their default dropout and
/// stochastic-depth settings.
enum MobileFamilyFactory {
    static func make(_ architecture: Architecture, classCount: Int, generator: Generator?) throws -> any Backbone {
        switch architecture {
        case .efficientnetB0, .efficientnetB1, .efficientnetB2, .efficientnetB3:
            try EfficientNet(architecture, classCount: classCount, generator: generator)
        case .mobilenetV2: try MobileNetV2(classCount: classCount, generator: generator)
        case .mobilenetV3Large: try MobileNetV3(classCount: classCount, generator: generator)
        default: throw ArchitectureError("\(architecture.rawValue) is not an EfficientNet or MobileNet")
        }
    }
}
