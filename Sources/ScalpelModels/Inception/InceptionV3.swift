// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// Inception-v3 with torchvision's keys and computation (`aux_logits=True`, `transform_input=False`,
/// as `torchvision.models.inception_v3()` builds it without weights).
///
/// See "Rethinking the Inception Architecture for Computer Vision", Szegedy et al. 2015
/// <https://arxiv.org/abs/1512.00567>, and torchvision's `models/inception.py`.
///
/// Cut points (block and layer level alike, since an Inception block's branches are concatenated and
/// cannot be split): `maxpool1` (stride 4, 64 channels), `maxpool2` (stride 8, 192), `Mixed_5b`,
/// `Mixed_5c`, `Mixed_5d` (stride 8), `Mixed_6a` … `Mixed_6e` (stride 16, 768), `Mixed_7a`, `Mixed_7b`,
/// `Mixed_7c` (stride 32, 1280 / 2048).
///
/// Keys: `Conv2d_1a_3x3`, `Conv2d_2a_3x3`, `Conv2d_2b_3x3`, `Conv2d_3b_1x1`, `Conv2d_4a_3x3` (each
/// `.conv` and `.bn`, eps 0.001), `Mixed_5b` … `Mixed_7c` with torchvision's branch names,
/// `AuxLogits.conv0/conv1/fc` (registered between `Mixed_6e` and `Mixed_7a`), `fc`.
///
/// Calling the model returns the main logits in either mode (the auxiliary head is skipped, so any
/// input of 75 pixels or more works); ``forwardWithAuxiliary(_:)`` also returns the auxiliary logits
/// (torchvision's training output `(logits, aux_logits)`), which need a 299-pixel input.
/// Initialisation as torchvision: every convolution and linear weight from a normal truncated to
/// [−2, 2] with std 0.1 (0.001 for `AuxLogits.fc`), batch norm 1 / 0, linear biases PyTorch's default.
public final class InceptionV3: Backbone {
    public let architecture: Architecture = .inceptionV3
    let stem: [(String, BasicConv2d)]
    let maxpool1 = MaxPool2d(kernelSize: 3, stride: 2), maxpool2 = MaxPool2d(kernelSize: 3, stride: 2)
    let mixed: [(String, InceptionBlock)]
    /// The auxiliary classifier (`AuxLogits`), fed by `Mixed_6e`.
    let auxLogits: InceptionAux
    let avgpool = AdaptiveAvgPool2d(outputSize: 1)
    let dropout = Dropout(probability: 0.5)
    public private(set) var fc: any Layer
    public private(set) var classCount: Int
    public let featureLinks: [FeatureLink]
    public let cutPoints: [CutPoint]
    public let featureCount = 2048

    public init(classCount: Int = 1000, generator: Generator? = nil) throws {
        let g = generator
        stem = [
            ("Conv2d_1a_3x3", try BasicConv2d(3, 32, kernel: 3, stride: 2, generator: g)),
            ("Conv2d_2a_3x3", try BasicConv2d(32, 32, kernel: 3, generator: g)),
            ("Conv2d_2b_3x3", try BasicConv2d(32, 64, kernel: 3, padding: 1, generator: g)),
            ("Conv2d_3b_1x1", try BasicConv2d(64, 80, kernel: 1, generator: g)),
            ("Conv2d_4a_3x3", try BasicConv2d(80, 192, kernel: 3, generator: g)),
        ]
        let lower: [(String, InceptionBlock)] = [
            ("Mixed_5b", try InceptionBlock.a(192, poolFeatures: 32, generator: g)),
            ("Mixed_5c", try InceptionBlock.a(256, poolFeatures: 64, generator: g)),
            ("Mixed_5d", try InceptionBlock.a(288, poolFeatures: 64, generator: g)),
            ("Mixed_6a", try InceptionBlock.b(288, generator: g)),
            ("Mixed_6b", try InceptionBlock.c(768, channels7x7: 128, generator: g)),
            ("Mixed_6c", try InceptionBlock.c(768, channels7x7: 160, generator: g)),
            ("Mixed_6d", try InceptionBlock.c(768, channels7x7: 160, generator: g)),
            ("Mixed_6e", try InceptionBlock.c(768, channels7x7: 192, generator: g)),
        ]
        auxLogits = try InceptionAux(768, classCount: classCount, generator: g)
        let top: [(String, InceptionBlock)] = [
            ("Mixed_7a", try InceptionBlock.d(768, generator: g)),
            ("Mixed_7b", try InceptionBlock.e(1280, generator: g)),
            ("Mixed_7c", try InceptionBlock.e(2048, generator: g)),
        ]
        var chain = FeatureChainBuilder(inputChannels: 3)
        chain.append(stem[0].0, stem[0].1, channels: 32, stride: 2)
        chain.append(stem[1].0, stem[1].1)
        chain.append(stem[2].0, stem[2].1, channels: 64)
        chain.append("maxpool1", maxpool1, stride: 2, cut: .block)
        chain.markCut(.layer)
        chain.append(stem[3].0, stem[3].1, channels: 80)
        chain.append(stem[4].0, stem[4].1, channels: 192)
        chain.append("maxpool2", maxpool2, stride: 2, cut: .block)
        chain.markCut(.layer)
        for (name, block) in lower + top {
            let stride = name == "Mixed_6a" || name == "Mixed_7a" ? 2 : 1
            chain.append(name, block, channels: block.outputChannels, stride: stride, cut: .block)
            chain.markCut(.layer)
        }
        mixed = lower + top
        featureLinks = chain.links
        cutPoints = chain.cutPoints
        self.classCount = classCount
        fc = try Self.makeClassifier(classCount: classCount, truncated: false, generator: g)
        // torchvision re-draws every Conv2d and Linear weight after building, in module order. Its
        // `stddev` attribute sits on AuxLogits.conv1 (a BasicConv2d, so its inner Conv2d keeps 0.1) and
        // on AuxLogits.fc (0.001).
        for (key, module) in namedModules() {
            let weight = (module as? Conv2d)?.weight ?? (module as? Linear)?.weight
            if let weight {
                try TruncatedNormal.fill(weight, std: key == "AuxLogits.fc" ? 0.001 : 0.1, generator: g)
            }
        }
    }

    public var namedChildren: [(String, any Module)] {
        let stemModules: [(String, any Module)] = [stem[0], stem[1], stem[2]].map { ($0.0, $0.1) } + [("maxpool1", maxpool1)]
            + [stem[3], stem[4]].map { ($0.0, $0.1) } + [("maxpool2", maxpool2)]
        return stemModules + mixed.prefix(8).map { ($0.0, $0.1) } + [("AuxLogits", auxLogits)]
            + mixed.dropFirst(8).map { ($0.0, $0.1) } + [("avgpool", avgpool), ("dropout", dropout), ("fc", fc)]
    }

    /// Average pool, dropout (p 0.5), flatten and `fc`; `preLogits` stops before `fc`.
    public func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor {
        let pooled = try dropout(avgpool(features)).flattened(from: 1)
        return preLogits ? pooled : try fc(pooled)
    }

    /// The main logits and the auxiliary classifier's logits (computed from `Mixed_6e`), in either
    /// mode: torchvision's training output `InceptionOutputs(logits, aux_logits)`.
    ///
    /// - Throws: ``TorchError`` when the input is too small for the auxiliary head (it needs a 17×17
    ///   grid after `Mixed_6e`, i.e. 299 pixels).
    public func forwardWithAuxiliary(_ input: Tensor) throws -> (logits: Tensor, auxiliary: Tensor) {
        let auxIndex = featureLinks.firstIndex { $0.name == "Mixed_6e" }! + 1
        let middle = try featureLinks.prefix(auxIndex).reduce(input) { try $1.layer($0) }
        let auxiliary = try auxLogits(middle)
        let features = try featureLinks.dropFirst(auxIndex).reduce(middle) { try $1.layer($0) }
        return (try forwardHead(features, preLogits: false), auxiliary)
    }

    /// Replaces both `fc` and `AuxLogits.fc` (identities for 0 classes), drawn as torchvision draws them.
    public func resetClassifier(classCount: Int, generator: Generator? = nil) throws {
        fc = try Self.makeClassifier(classCount: classCount, truncated: true, generator: generator)
        auxLogits.fc = try InceptionAux.makeClassifier(classCount: classCount, generator: generator)
        if let linear = auxLogits.fc as? Linear {
            try TruncatedNormal.fill(linear.weight, std: 0.001, generator: generator)
        }
        self.classCount = classCount
    }

    /// Linear(2048, classCount) (identity for 0); `truncated` re-draws its weight from the truncated normal.
    static func makeClassifier(classCount: Int, truncated: Bool, generator: Generator?) throws -> any Layer {
        guard classCount > 0 else { return Identity() }
        let linear = try Linear(inputFeatures: 2048, outputFeatures: classCount, generator: generator)
        if truncated { try TruncatedNormal.fill(linear.weight, std: 0.1, generator: generator) }
        return linear
    }
}
