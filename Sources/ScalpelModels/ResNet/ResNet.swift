// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// ResNet-18/34/50/101/152 with torchvision's keys and computation, and MedMNIST v2's small-input
/// ResNet-18/50 "(28)" (``Architecture/resnet18Small``, ``Architecture/resnet50Small``): the same
/// network and keys with a 3×3 stride-1 `conv1` and no max-pool, so `stem` has stride 1, not 4.
///
/// See "Deep Residual Learning for Image Recognition", He et al. 2015 <https://arxiv.org/abs/1512.03385>,
/// and torchvision's `models/resnet.py` (v1.5: the bottleneck's stride sits on its 3×3 convolution).
///
/// Cut points: block level `stem` (after the max-pool), `layer1` … `layer4`; layer level every
/// residual block (`layer3.2`). Keys: `conv1`, `bn1`, `layer{1-4}.{i}.…`, `fc`.
///
/// A ``SlimTop`` builds TransFusion's slim variant (the TTL authors' `slim_resnet50`): the stages
/// `firstStage` … 4 (`layer4` is 4) have their bottleneck width divided, so `layer4` of ResNet-50
/// halved outputs 1024 channels and `fc` takes 1024 features; same keys, fresh initialisation.
public final class ResNet: Backbone {
    public let architecture: Architecture
    /// The slimmed stages, if built with one (nil: torchvision's widths).
    public let slimTop: SlimTop?
    let conv1: Conv2d, bn1: BatchNorm2d, relu = ReLU()
    /// torchvision's 3×3 stride-2 max-pool; `Identity` in the small-input stem.
    let maxpool: any Layer
    /// torchvision's `avgpool` module (no keys), applied by ``forwardHead(_:preLogits:)``.
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    let layers: [Sequential]
    public private(set) var fc: any Layer
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount: Int

    /// - Parameters:
    ///   - architecture: one of `.resnet18` … `.resnet152`, `.resnet18Small`, `.resnet50Small`.
    ///   - slimTop: TransFusion's slim stages (nil: torchvision's network).
    /// - Throws: ``ArchitectureError`` for another architecture or a slim stage outside 1 … 4, or a
    ///   divisor that does not divide the stage width.
    public init(_ architecture: Architecture, classCount: Int = 1000, generator: Generator? = nil,
                slimTop: SlimTop? = nil) throws {
        let (bottleneck, depths): (Bool, [Int]) = switch architecture {
        case .resnet18: (false, [2, 2, 2, 2])
        case .resnet34: (false, [3, 4, 6, 3])
        case .resnet50: (true, [3, 4, 6, 3])
        case .resnet101: (true, [3, 4, 23, 3])
        case .resnet152: (true, [3, 8, 36, 3])
        case .resnet18Small: (false, [2, 2, 2, 2])
        case .resnet50Small: (true, [3, 4, 6, 3])
        default: throw ArchitectureError("\(architecture.rawValue) is not a ResNet")
        }
        if let slimTop {
            guard (1 ... 4).contains(slimTop.firstStage), slimTop.widthDivisor >= 1, 64 % slimTop.widthDivisor == 0 else {
                throw ArchitectureError(
                    "slim top needs a first stage in 1 … 4 and a width divisor of 64 (1, 2, 4, …), got stage \(slimTop.firstStage), divisor \(slimTop.widthDivisor)")
            }
        }
        self.architecture = architecture
        self.slimTop = slimTop
        // torchvision: 7×7 stride-2 conv and 3×3 stride-2 max-pool (stride 4 before layer1). MedMNIST v2's
        // "(28)" networks: 3×3 stride-1 conv (padding 1) and no max-pool (stride 1).
        let stemStride = architecture.isSmallInput ? 1 : 2
        conv1 = try convolution(3, 64, kernel: architecture.isSmallInput ? 3 : 7, stride: stemStride, generator: generator)
        bn1 = try BatchNorm2d(featureCount: 64)
        maxpool = architecture.isSmallInput ? Identity() : MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        var chain = FeatureChainBuilder(inputChannels: 3)
        chain.append("conv1", conv1, channels: 64, stride: stemStride)
        chain.append("bn1", bn1)
        chain.append("relu", relu)
        chain.append("maxpool", maxpool, stride: stemStride)
        chain.markCut(.block, name: "stem")
        chain.markCut(.layer, name: "stem")
        var layers: [Sequential] = []
        var channels = 64
        let expansion = bottleneck ? Bottleneck.expansion : BasicBlock.expansion
        for (stage, (fullPlanes, depth)) in zip([64, 128, 256, 512], depths).enumerated() {
            let planes = slimTop.map { stage + 1 >= $0.firstStage ? fullPlanes / $0.widthDivisor : fullPlanes } ?? fullPlanes
            var blocks: [any Layer] = []
            for index in 0 ..< depth {
                let stride = stage > 0 && index == 0 ? 2 : 1
                let block: any Layer = bottleneck
                    ? try Bottleneck(inputChannels: channels, planes: planes, stride: stride, generator: generator)
                    : try BasicBlock(inputChannels: channels, planes: planes, stride: stride, generator: generator)
                channels = planes * expansion
                blocks.append(block)
                chain.append("layer\(stage + 1).\(index)", block, channels: channels, stride: stride, cut: .layer)
            }
            chain.markCut(.block, name: "layer\(stage + 1)")
            layers.append(Sequential(blocks))
        }
        self.layers = layers
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        featureCount = channels
        self.classCount = classCount
        fc = try Self.makeClassifier(features: channels, classCount: classCount, generator: generator)
    }

    public var namedChildren: [(String, any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool)]
            + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element as any Module) }
            + [("avgpool", avgpool), ("fc", fc)]
    }

    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try avgpool(features).flattened(from: 1)
        return preLogits ? pooled : try fc(pooled)
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        fc = try Self.makeClassifier(features: featureCount, classCount: classCount, generator: generator)
        self.classCount = classCount
    }

    static func makeClassifier(features: Int, classCount: Int, generator: Generator?) throws -> any Layer {
        classCount == 0 ? Identity() : try Linear(inputFeatures: features, outputFeatures: classCount, generator: generator)
    }
}
