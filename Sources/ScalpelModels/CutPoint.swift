// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A place where a backbone can be cut without breaking a skip connection: after a whole block
/// (ResNet `layer3`) or after one layer inside it (ResNet `layer3.2`, one bottleneck).
///
/// The feature map there has `channels` channels and is `reduction` times smaller than the input
/// (stride), which is what a new head needs to know.
public struct CutPoint: Sendable, Hashable, CustomStringConvertible {
    public enum Level: String, Sendable, Codable, CaseIterable {
        /// After a block (stage): the coarse cut points TruncatedTL's stage-1 search tries.
        case block
        /// After a layer (bottleneck, dense layer, conv, MBConv): the fine stage-2 candidates.
        case layer
    }

    /// The key prefix of the module the cut follows, e.g. `layer3`, `features.denseblock2`, `features.5.1`.
    public var name: String
    public var level: Level
    /// Number of the backbone's feature links kept when cutting here (the cut follows link `linkCount − 1`).
    public var linkCount: Int
    public var channels: Int
    /// Spatial stride of the feature map relative to the input.
    public var reduction: Int

    public init(name: String, level: Level, linkCount: Int, channels: Int, reduction: Int) {
        self.name = name
        self.level = level
        self.linkCount = linkCount
        self.channels = channels
        self.reduction = reduction
    }

    public var description: String { "\(name) (\(level), \(channels) channels, stride \(reduction))" }
}

/// An unknown or invalid cut point; the message lists the valid ones.
public struct CutPointError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
