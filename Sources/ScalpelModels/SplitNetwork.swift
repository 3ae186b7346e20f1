// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// A classification network made of an ordered chain of named feature links (with cut points between
/// them) followed by a head that maps the last link's output to logits.
///
/// Every network a transfer strategy trains is one: a ``Backbone`` (full fine-tuning, TransFusion's
/// slim models), a backbone cut at a cut point with a new pooled head (TruncatedTL), a backbone with
/// an MLP head. Analyses use it to read the activation at any cut point and to continue from there
/// to the logits — Grad-CAM, representation similarity, frozen-prefix caching — with no hooks and
/// without changing the model.
///
/// ```swift
/// let cut = try network.cutPoint(named: "layer3")
/// let activation = try network.forwardIntermediates(images, at: [cut])[0]   // [N, C, h, w]
/// let logits = try network.forward(from: cut, activation)                  // [N, classCount]
/// ```
public protocol SplitNetwork: Layer {
    /// The architecture the feature links come from (it names the network in error messages).
    var architecture: Architecture { get }
    /// The feature extractor, in order; the head follows the last link.
    var featureLinks: [FeatureLink] { get }
    /// The cut points inside ``featureLinks``, block and layer level, in network order.
    var cutPoints: [CutPoint] { get }
    /// From the output of the last feature link, `[N, C, h, w]`, to logits `[N, classCount]`.
    func forwardHead(_ features: Tensor) throws -> Tensor
}

extension SplitNetwork {
    /// The output of the last feature link (`[N, C, h, w]` for the convolutional families).
    /// In eval mode, convolution + batch norm (+ activation) links run fused (``InferenceFusion``).
    public func forwardFeatures(_ input: Tensor) throws -> Tensor {
        try forwardFusing(featureLinks.map(\.layer), input)
    }

    /// Cut points of one level.
    public func cutPoints(_ level: CutPoint.Level) -> [CutPoint] {
        cutPoints.filter { $0.level == level }
    }

    /// The cut point called `name` (block level preferred when a name is both).
    ///
    /// - Throws: ``CutPointError`` listing every valid name when there is none.
    public func cutPoint(named name: String) throws -> CutPoint {
        if let cut = cutPoints.first(where: { $0.name == name && $0.level == .block })
            ?? cutPoints.first(where: { $0.name == name }) {
            return cut
        }
        let blocks = cutPoints(.block).map(\.name).joined(separator: ", ")
        let layers = cutPoints(.layer).map(\.name)
        let layerList = layers.count > 12 ? layers.prefix(6).joined(separator: ", ") + ", …, " + layers.suffix(3).joined(separator: ", ")
            : layers.joined(separator: ", ")
        throw CutPointError(
            "\(architecture.rawValue) has no cut point '\(name)'. Block cut points: \(blocks). Layer cut points: \(layerList) (scalpel models \(architecture.rawValue) --cuts lists them all).")
    }

    /// Features at each of `cuts`, in the order given, from one forward pass that stops after the
    /// deepest one.
    ///
    /// - Throws: ``CutPointError`` for a cut point that is not one of this network's.
    public func forwardIntermediates(_ input: Tensor, at cuts: [CutPoint]) throws -> [Tensor] {
        try checkOwn(cuts)
        guard let deepest = cuts.map(\.linkCount).max() else { return [] }
        var outputs: [Int: Tensor] = [:]
        let wanted = Set(cuts.map(\.linkCount))
        _ = try forwardFusing(featureLinks.prefix(deepest).map(\.layer), input,
                              keepsOutput: { wanted.contains($0 + 1) }, observe: { outputs[$0 + 1] = $1 })
        return cuts.map { outputs[$0.linkCount]! }
    }

    /// The rest of the network from `cut` on: the links after it, then the head. `activation` is what
    /// ``forwardIntermediates(_:at:)`` returns at `cut` (or anything of that shape); the result is the
    /// logits `[N, classCount]`.
    ///
    /// - Throws: ``CutPointError`` for a cut point that is not one of this network's.
    public func forward(from cut: CutPoint, _ activation: Tensor) throws -> Tensor {
        try checkOwn([cut])
        return try forwardHead(forwardFusing(featureLinks.dropFirst(cut.linkCount).map(\.layer), activation))
    }

    /// A cut point is this network's when one of its cut points has its name and place (a cut point
    /// of another network of the architecture does, even one whose widths differ, as TransFusion's).
    private func checkOwn(_ cuts: [CutPoint]) throws {
        let own = cutPoints
        for cut in cuts where !own.contains(where: { $0.name == cut.name && $0.linkCount == cut.linkCount }) {
            throw CutPointError("cut point \(cut.name) does not belong to this \(architecture.rawValue) network; its cut points: \(cutPoints.map(\.name).joined(separator: ", "))")
        }
    }
}
