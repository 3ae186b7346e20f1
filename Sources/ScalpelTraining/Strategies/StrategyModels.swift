// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// A backbone whose classifier is replaced by a small MLP, `Linear → ReLU → Linear` on the pooled
/// features. The backbone keeps its own keys; the MLP's are `mlp_head.0.*` and `mlp_head.2.*`.
final class BackboneWithMLPHead: Layer {
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

    func callAsFunction(_ input: Tensor) throws -> Tensor { try head(backbone(input)) }
}

/// TruncatedTL's network: a backbone's feature links up to a cut point (their torchvision keys kept)
/// and a pooled linear head, `head.2.*` (`AdaptiveAvgPool2d(1) → Flatten → Linear`).
final class TruncatedClassifier: Layer {
    let links: [FeatureLink]
    let head: Sequential
    private let tree: ModuleTree

    init(_ backbone: any Backbone, cut: CutPoint, classCount: Int, generator: Generator?) throws {
        links = Array(backbone.featureLinks.prefix(cut.linkCount))
        head = Sequential([AdaptiveAvgPool2d(outputSize: 1), Flatten(),
                           try Linear(inputFeatures: cut.channels, outputFeatures: classCount, generator: generator)])
        tree = ModuleTree(links.map { ($0.name, $0.layer as any Module) } + [("head", head)])
    }

    var namedChildren: [(String, any Module)] { tree.namedChildren }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try head(forwardFusing(links.map(\.layer), input))
    }
}
