// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Applies its layers in order, each to the previous one's output.
///
/// Equivalent to `torch.nn.Sequential`. Children are keyed `"0"`, `"1"`, … by position, layers without
/// parameters included, so `Sequential([Dropout(probability: 0.2), Linear(…)])` has the keys
/// `1.weight` and `1.bias`, as torchvision's EfficientNet classifier does. ``init(named:)`` takes
/// explicit names, like `nn.Sequential(OrderedDict(...))` (DenseNet's `features.conv0`, `features.norm0`).
///
/// ```swift
/// let features = try Sequential([
///     Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, bias: false),
///     BatchNorm2d(featureCount: 8),
///     ReLU(),
/// ])
/// let named = try Sequential(named: [("conv0", Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 7)),
///                                    ("relu0", ReLU())])
/// ```
public final class Sequential: Layer, ModeDependent {
    /// The layers and their local names, in order.
    public private(set) var namedLayers: [(name: String, layer: any Layer)]
    /// Its own flag, as every PyTorch module has one; ``Module/setMode(_:)`` sets it with the children's.
    public var mode: ModuleMode = .training

    /// Children keyed by position: `"0"`, `"1"`, ….
    public init(_ layers: [any Layer]) {
        namedLayers = layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Children under the given names, in order (`nn.Sequential(OrderedDict(...))`).
    ///
    /// Names must be non-empty, contain no `.` and be unique (a precondition).
    public init(named layers: [(String, any Layer)]) {
        var seen = Set<String>()
        for (name, _) in layers {
            precondition(isValidLocalName(name), "Sequential child name '\(name)' must be non-empty and contain no '.'")
            precondition(seen.insert(name).inserted, "Sequential child name '\(name)' is used twice")
        }
        namedLayers = layers.map { ($0.0, $0.1) }
    }

    public var layers: [any Layer] { namedLayers.map(\.layer) }
    public var count: Int { namedLayers.count }
    public subscript(index: Int) -> any Layer { namedLayers[index].layer }

    public var namedChildren: [(String, any Module)] { namedLayers.map { ($0.name, $0.layer) } }

    /// Puts `layer` in place of the one at `index`, keeping its name, e.g. a new classifier head.
    public func replaceLayer(at index: Int, with layer: any Layer) {
        precondition(namedLayers.indices.contains(index), "Sequential has no layer at index \(index)")
        namedLayers[index].layer = layer
    }

    /// - Throws: the first error of a layer, unchanged (a ``TorchError`` for a wrong shape).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        // Convolution + batch norm (+ activation) runs fuse in eval mode (InferenceFusion).
        try forwardFusing(namedLayers.map(\.layer), input)
    }
}
