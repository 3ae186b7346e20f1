// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// Class activation maps of a batch, as ``GradCAM/explain(_:classes:)`` returns them.
public struct ClassActivationMaps {
    /// Maps `[N, H, W]` (float32, the input's height and width, values in `[0, 1]`), scaled and
    /// resized as pytorch-grad-cam scales and resizes them (``CAMScaling/inputSized(_:height:width:)``).
    public var maps: Tensor
    /// `ReLU(Σ_k w_k A_k)` at the cut point's resolution `[N, h, w]`, before any scaling.
    public var rawMaps: Tensor
    /// The class each map explains, one per image.
    public var targetClasses: [Int]
    /// The network's logits `[N, classCount]` for the batch.
    public var logits: Tensor
}

/// Grad-CAM and Grad-CAM++ at any cut point of a ``SplitNetwork``, with no hooks and without
/// changing the network.
///
/// The network runs to the cut point without gradients; the activation `A` there is made a leaf
/// and the rest of the network runs from it, so `∂y_c/∂A` comes from one `torch.autograd.grad`
/// over the top of the network only, and no parameter's `.grad` is touched. The target `y_c` is the
/// raw logit of the class (default: the predicted one), as pytorch-grad-cam's `ClassifierOutputTarget`.
/// The network must be in evaluation mode: then every image's map depends on that image alone,
/// whatever else is in the batch.
///
/// ```swift
/// let explainer = try GradCAM(network: model, cut: "layer4", method: .gradCAMPlusPlus)
/// let result = try explainer.explain(images)            // images [N, C, H, W]
/// result.maps                                           // [N, H, W] in [0, 1]
/// ```
public struct GradCAM {
    public let network: any SplitNetwork
    public let cut: CutPoint
    public let method: CAMMethod

    /// - Throws: ``CutPointError`` listing the valid cut points when `cut` is not one of the network's.
    public init(network: any SplitNetwork, cut: String, method: CAMMethod = .gradCAM) throws {
        try self.init(network: network, cut: try network.cutPoint(named: cut), method: method)
    }

    public init(network: any SplitNetwork, cut: CutPoint, method: CAMMethod = .gradCAM) throws {
        guard network.cutPoints.contains(where: { $0.name == cut.name && $0.linkCount == cut.linkCount }) else {
            throw CutPointError("cut point \(cut.name) does not belong to this \(network.architecture.rawValue) network; its cut points: \(network.cutPoints.map(\.name).joined(separator: ", "))")
        }
        self.network = network
        self.cut = cut
        self.method = method
    }

    /// Maps for `images` `[N, C, H, W]` (on the network's device and dtype), each for `classes[i]`
    /// or, when `classes` is nil, for the class the network predicts.
    ///
    /// - Throws: ``AttributionError`` for a network in training mode, an input that is not 4-D,
    ///   a class count that differs from the batch size or a class out of range.
    public func explain(_ images: Tensor, classes: [Int]? = nil) throws -> ClassActivationMaps {
        guard !network.isTraining else {
            throw AttributionError("Grad-CAM needs the network in evaluation mode (its batch-norm layers would otherwise mix the images of a batch); call setMode(.evaluation) first")
        }
        guard images.rank == 4, images.shape[0] > 0 else {
            throw AttributionError("Grad-CAM takes images [N, C, H, W] with N ≥ 1; got shape \(images.shape)")
        }
        if let classes, classes.count != images.shape[0] {
            throw AttributionError("\(classes.count) target classes given for \(images.shape[0]) images; give one per image or none (the predicted classes)")
        }
        let activation = try withNoGrad { try network.forwardIntermediates(images, at: [cut])[0] }
        guard activation.rank == 4 else {
            throw AttributionError("the activation at \(cut.name) has shape \(activation.shape); Grad-CAM needs a feature map [N, C, h, w]")
        }
        try activation.setRequiresGradient(true)
        defer { try? activation.setRequiresGradient(false) }
        let (logits, targets, gradient) = try withGrad { () throws -> (Tensor, [Int], Tensor) in
            // A copy inside the graph, so a top that starts with an in-place op never writes into the leaf.
            let logits = try network.forward(from: cut, activation.clone())
            let targets = try targetClasses(classes, logits: logits)
            let index = try Tensor(targets.map(Int64.init), shape: [targets.count, 1]).to(device: logits.device)
            let score = try logits.gather(axis: 1, indices: index).sum()
            let gradient = try gradients(of: score, withRespectTo: [activation])[0]
            return (try logits.detached(), targets, gradient)
        }
        let values = try activation.detached()
        let weights = try method.channelWeights(activations: values, gradients: gradient)
        let raw = try (weights.unsqueezed(axis: 2).unsqueezed(axis: 3) * values).sum(axes: [1]).relu()
        let maps = try CAMScaling.inputSized(raw, height: images.shape[2], width: images.shape[3])
        return ClassActivationMaps(maps: maps, rawMaps: raw, targetClasses: targets, logits: logits)
    }

    private func targetClasses(_ classes: [Int]?, logits: Tensor) throws -> [Int] {
        let classCount = logits.shape[1]
        guard let classes else {
            return try logits.argmax(axis: 1).to(device: .cpu).hostArray(of: Int64.self).map { Int($0) }
        }
        if let bad = classes.first(where: { !(0..<classCount).contains($0) }) {
            throw AttributionError("class \(bad) is out of range: the network predicts \(classCount) classes (0…\(classCount - 1))")
        }
        return classes
    }
}
