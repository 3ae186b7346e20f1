// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// A classification network that splits into a feature extractor — an ordered chain of named links
/// with cut points between them — and a head (pooling and classifier), as timm's
/// `forward_features` / `forward_head` / `feature_info` interface.
///
/// The state-dict keys are torchvision's, so torchvision's weight files load unchanged. Truncating,
/// freezing by block and reading intermediate features all work from ``featureLinks`` and
/// ``cutPoints``, with no hooks and no second constructor per variant.
///
/// A backbone is a ``SplitNetwork`` whose head is ``forwardHead(_:preLogits:)`` with `preLogits: false`.
public protocol Backbone: SplitNetwork {
    /// Channels of the unpooled features ``forwardFeatures(_:)`` returns.
    var featureCount: Int { get }
    /// Classes the classifier predicts (0 when the head is an identity).
    var classCount: Int { get }
    /// Pooling, flattening and the classifier; `preLogits` stops before the last Linear.
    func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor
    /// Installs a freshly initialised classifier for `classCount` classes (0: an identity head).
    func resetClassifier(classCount: Int, generator: Generator?) throws
}

extension Backbone {
    /// Logits `[N, classCount]` from the unpooled features (``SplitNetwork``'s head).
    public func forwardHead(_ features: Tensor) throws -> Tensor {
        try forwardHead(features, preLogits: false)
    }

    /// Logits `[N, classCount]`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forwardHead(forwardFeatures(input), preLogits: false)
    }

    /// The feature extractor up to and including `cut`, as a model of its own (TruncatedTL's surgery).
    /// It shares the backbone's modules, so it keeps their weights and state-dict keys.
    public func truncated(at cut: CutPoint) throws -> TruncatedBackbone {
        guard cutPoints.contains(cut) else {
            throw CutPointError("cut point \(cut.name) does not belong to \(architecture.rawValue)")
        }
        return TruncatedBackbone(architecture: architecture, links: Array(featureLinks.prefix(cut.linkCount)), cut: cut)
    }

    public func truncated(at name: String) throws -> TruncatedBackbone {
        try truncated(at: cutPoint(named: name))
    }
}

/// A backbone's feature extractor cut at a ``CutPoint``: its output is the feature map there,
/// `[N, cut.channels, H / cut.reduction, W / cut.reduction]` (rounded as the layers round).
public final class TruncatedBackbone: Layer {
    public let architecture: Architecture
    public let links: [FeatureLink]
    public let cut: CutPoint
    private let tree: ModuleTree

    init(architecture: Architecture, links: [FeatureLink], cut: CutPoint) {
        self.architecture = architecture
        self.links = links
        self.cut = cut
        tree = ModuleTree(links.map { ($0.name, $0.layer as any Module) })
    }

    public var namedChildren: [(String, any Module)] { tree.namedChildren }

    public var featureCount: Int { cut.channels }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forwardFusing(links.map(\.layer), input)
    }
}
