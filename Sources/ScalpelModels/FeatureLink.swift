// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// One step of a backbone's feature extractor, applied in order: `conv1`, `bn1`, …, `layer4.2`.
///
/// `name` is the link's key prefix in the backbone's state dict, so a backbone cut after any link
/// keeps the exact keys (and pretrained weights) of the layers it keeps.
public struct FeatureLink {
    public let name: String
    public let layer: any Layer

    public init(_ name: String, _ layer: any Layer) {
        self.name = name
        self.layer = layer
    }
}

/// Builds a backbone's links and cut points together while the backbone is constructed, tracking the
/// channel count and stride at every link.
public struct FeatureChainBuilder {
    public private(set) var links: [FeatureLink] = []
    public private(set) var cutPoints: [CutPoint] = []
    public private(set) var channels: Int
    public private(set) var reduction = 1

    public init(inputChannels: Int) {
        channels = inputChannels
    }

    /// Appends a link whose output has `channels` channels (unchanged when nil) and divides the spatial
    /// size by `stride`; `cut` marks a cut point after it.
    public mutating func append(_ name: String, _ layer: any Layer, channels: Int? = nil, stride: Int = 1,
                                cut: CutPoint.Level? = nil) {
        links.append(FeatureLink(name, layer))
        if let channels { self.channels = channels }
        reduction *= stride
        if let cut { markCut(cut) }
    }

    /// Marks a cut point after the last link (a block cut after a block's last layer, say).
    public mutating func markCut(_ level: CutPoint.Level, name: String? = nil) {
        let cut = CutPoint(name: name ?? links.last!.name, level: level, linkCount: links.count, channels: channels,
                           reduction: reduction)
        cutPoints.removeAll { $0.name == cut.name && $0.level == cut.level }
        cutPoints.append(cut)
    }
}
