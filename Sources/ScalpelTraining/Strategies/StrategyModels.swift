// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// A backbone whose classifier is replaced by a small MLP, `Linear → ReLU → Linear` on the pooled
/// features. The backbone keeps its own keys; the MLP's are `mlp_head.0.*` and `mlp_head.2.*`.
/// As a ``SplitNetwork`` it has the backbone's links and cut points; its head is the backbone's
/// pooling followed by the MLP.
final class BackboneWithMLPHead: SplitNetwork {
    let backbone: any Backbone
    let head: Sequential

    init(_ backbone: any Backbone, classCount: Int, hidden: Int, generator: Generator?) throws {
        let features = backbone.featureCount
        try backbone.resetClassifier(classCount: 0, generator: generator)
        self.backbone = backbone
        head = Sequential([try Linear(inputFeatures: features, outputFeatures: hidden, generator: generator), ReLU(),
                           try Linear(inputFeatures: hidden, outputFeatures: classCount, generator: generator)])
    }

    var namedChildren: [(String, any Module)] { backbone.namedChildren + [("mlp_head", head)] }

    var architecture: Architecture { backbone.architecture }
    var featureLinks: [FeatureLink] { backbone.featureLinks }
    var cutPoints: [CutPoint] { backbone.cutPoints }

    func forwardHead(_ features: Tensor) throws -> Tensor { try head(backbone.forwardHead(features, preLogits: false)) }

    func callAsFunction(_ input: Tensor) throws -> Tensor { try head(backbone(input)) }
}

/// TruncatedTL's network: a backbone's feature links up to a cut point (their torchvision keys kept)
/// and a pooled linear head, `head.2.*` (`AdaptiveAvgPool2d(1) → Flatten → Linear`). As a
/// ``SplitNetwork`` its cut points are the backbone's up to and including the cut.
final class TruncatedClassifier: SplitNetwork {
    let architecture: Architecture
    let links: [FeatureLink]
    let cutPoints: [CutPoint]
    let head: Sequential
    private let tree: ModuleTree

    init(_ backbone: any Backbone, cut: CutPoint, classCount: Int, generator: Generator?) throws {
        architecture = backbone.architecture
        links = Array(backbone.featureLinks.prefix(cut.linkCount))
        cutPoints = backbone.cutPoints.filter { $0.linkCount <= cut.linkCount }
        head = Sequential([AdaptiveAvgPool2d(outputSize: 1), Flatten(),
                           try Linear(inputFeatures: cut.channels, outputFeatures: classCount, generator: generator)])
        tree = ModuleTree(links.map { ($0.name, $0.layer as any Module) } + [("head", head)])
    }

    var namedChildren: [(String, any Module)] { tree.namedChildren }

    var featureLinks: [FeatureLink] { links }

    func forwardHead(_ features: Tensor) throws -> Tensor { try head(features) }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try head(forwardFusing(links.map(\.layer), input))
    }
}
