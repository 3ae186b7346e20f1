// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// DenseNet-121/161/169/201 (DenseNet-BC) with torchvision's keys and computation.
///
/// See "Densely Connected Convolutional Networks", Huang et al. 2016 <https://arxiv.org/abs/1608.06993>,
/// and torchvision's `models/densenet.py` (bottleneck width 4·k, compression 0.5, no dropout).
///
/// | variant | growth rate k | dense layers per block | stem channels | features |
/// |---|---|---|---|---|
/// | densenet121 | 32 | 6, 12, 24, 16 | 64 | 1024 |
/// | densenet161 | 48 | 6, 12, 36, 24 | 96 | 2208 |
/// | densenet169 | 32 | 6, 12, 32, 32 | 64 | 1664 |
/// | densenet201 | 32 | 6, 12, 48, 32 | 64 | 1920 |
///
/// Keys: `features.conv0`, `features.norm0`,
/// `features.denseblock{1-4}.denselayer{l}.{norm1,conv1,norm2,conv2}`, `features.transition{1-3}.{norm,conv}`,
/// `features.norm5`, `classifier`. The head is torchvision's `forward`: ReLU, global average pooling,
/// flattening and `classifier`; ``forwardFeatures(_:)`` stops at `features.norm5` (`model.features(x)`).
///
/// Cut points (they never cut inside a concatenation):
/// - block level: `features.denseblock{1-4}`, `features.transition{1-3}` (TruncatedTL's DenseNet cuts;
///   DenseNet-121 at 224 px gives 128×28×28, 256×14×14 and 512×7×7 there) and `features.norm5`;
/// - layer level: every dense layer `features.denseblock{b}.denselayer{l}`, and the transitions and
///   `features.norm5` again, so that the layer level refines the block level.
///
/// Inputs need at least 29 px per side (the stem and three transitions halve the size five times).
///
/// A ``SlimTop`` builds TransFusion's slim variant (the TTL authors' `slim_densenet`): dense blocks
/// `firstStage` … 4 grow by `growthRate / widthDivisor` channels per layer (32 → 16 halved), so the
/// transitions after them, `norm5` and the classifier are narrower too; same keys, fresh
/// initialisation.
///
/// ```swift
/// let model = try Architecture.densenet121.makeModel(classCount: 2)
/// let trunk = try model.truncated(at: "features.transition2")   // [N, 256, H/16, W/16]
/// ```
public final class DenseNet: Backbone {
    public let architecture: Architecture
    /// `features`: the stem, dense blocks, transitions and `norm5`, under torchvision's names.
    let features: Sequential
    public private(set) var classifier: any Layer
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount: Int
    /// The slimmed dense blocks, if built with one (nil: torchvision's network).
    public let slimTop: SlimTop?

    /// - Parameter architecture: one of `.densenet121`, `.densenet161`, `.densenet169`, `.densenet201`.
    /// - Throws: ``ArchitectureError`` for another architecture, or a slim block outside 1 … 4 or a
    ///   divisor that does not divide the growth rate.
    public init(_ architecture: Architecture, classCount: Int = 1000, generator: Generator? = nil,
                slimTop: SlimTop? = nil) throws {
        let (growthRate, blockConfig, initialFeatures): (Int, [Int], Int) = switch architecture {
        case .densenet121: (32, [6, 12, 24, 16], 64)
        case .densenet161: (48, [6, 12, 36, 24], 96)
        case .densenet169: (32, [6, 12, 32, 32], 64)
        case .densenet201: (32, [6, 12, 48, 32], 64)
        default: throw ArchitectureError("\(architecture.rawValue) is not a DenseNet")
        }
        if let slimTop {
            guard (1 ... blockConfig.count).contains(slimTop.firstStage), slimTop.widthDivisor >= 1,
                  growthRate % slimTop.widthDivisor == 0 else {
                throw ArchitectureError(
                    "slim top needs a first dense block in 1 … \(blockConfig.count) and a width divisor of the growth rate \(growthRate), got block \(slimTop.firstStage), divisor \(slimTop.widthDivisor)")
            }
        }
        let bnSize = 4
        self.architecture = architecture
        self.slimTop = slimTop
        var chain = FeatureChainBuilder(inputChannels: 3)
        var modules: [(String, any Layer)] = [
            ("conv0", try Conv2d(inputChannels: 3, outputChannels: initialFeatures, kernelSize: 7, stride: 2,
                                 padding: 3, bias: false, generator: generator)),
            ("norm0", try BatchNorm2d(featureCount: initialFeatures)),
            ("relu0", ReLU()),
            ("pool0", MaxPool2d(kernelSize: 3, stride: 2, padding: 1)),
        ]
        for (name, layer) in modules {
            chain.append("features." + name, layer, channels: name == "conv0" ? initialFeatures : nil,
                         stride: name == "conv0" || name == "pool0" ? 2 : 1)
        }
        var channels = initialFeatures
        for (index, layerCount) in blockConfig.enumerated() {
            let blockName = "features.denseblock\(index + 1)"
            var links: [DenseLink] = []
            let growth = slimTop.map { index + 1 >= $0.firstStage ? growthRate / $0.widthDivisor : growthRate } ?? growthRate
            for number in 1 ... layerCount {
                let layer = try DenseLayer(inputChannels: channels, growthRate: growth, bnSize: bnSize,
                                           generator: generator)
                channels += growth
                links.append(DenseLink(layer))
                chain.append("\(blockName).denselayer\(number)", links.last!, channels: channels, cut: .layer)
            }
            chain.markCut(.block, name: blockName)
            modules.append(("denseblock\(index + 1)", DenseBlock(links)))
            if index != blockConfig.count - 1 {
                let transition = try makeTransition(channels, channels / 2, generator: generator)
                channels /= 2
                modules.append(("transition\(index + 1)", transition))
                chain.append("features.transition\(index + 1)", transition, channels: channels, stride: 2, cut: .block)
                chain.markCut(.layer)
            }
        }
        let norm5 = try BatchNorm2d(featureCount: channels)
        modules.append(("norm5", norm5))
        chain.append("features.norm5", norm5, cut: .block)
        chain.markCut(.layer)
        features = Sequential(named: modules)
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        featureCount = channels
        self.classCount = classCount
        classifier = try Self.makeClassifier(features: channels, classCount: classCount, generator: generator)
        try Self.initialize(self, generator: generator)
    }

    public var namedChildren: [(String, any Module)] { [("features", features), ("classifier", classifier)] }

    /// ReLU, global average pooling, flattening and `classifier` (torchvision's `forward` after `features`).
    ///
    /// - Parameter features: `[N, featureCount, h, w]` from ``forwardFeatures(_:)``.
    /// - Returns: `[N, classCount]`, or `[N, featureCount]` when `preLogits` (or the head is an identity).
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try features.relu().adaptiveAvgPool2d(outputSize: (1, 1)).flattened(from: 1)
        return preLogits ? pooled : try classifier(pooled)
    }

    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        guard classCount >= 0 else { throw ArchitectureError("classCount must be >= 0, got \(classCount)") }
        classifier = try Self.makeClassifier(features: featureCount, classCount: classCount, generator: generator)
        self.classCount = classCount
    }

    /// `nn.Linear(featureCount, classCount)` with torchvision's zero bias, or an identity for 0 classes.
    static func makeClassifier(features: Int, classCount: Int, generator: Generator?) throws -> any Layer {
        guard classCount > 0 else { return Identity() }
        let linear = try Linear(inputFeatures: features, outputFeatures: classCount, generator: generator)
        try linear.bias?.fillInPlace(0)
        return linear
    }

    /// torchvision's loop over `self.modules()`: `kaiming_normal_` (fan-in, gain √2) for every
    /// convolution, in module order, after every layer drew its default initialisation; batch norms are
    /// already 1/0 and the classifier's bias 0. With the same seed the values equal torchvision's.
    static func initialize(_ model: DenseNet, generator: Generator?) throws {
        for (_, module) in model.namedModules() {
            if let conv = module as? Conv2d {
                try Initialization.kaimingNormal(conv.weight, generator: generator)
            }
        }
    }
}
