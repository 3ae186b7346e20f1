// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import TorchNN

/// A backbone's parameters grouped the way strategies talk about them: the head (everything after
/// the feature extractor), the blocks between block cut points and the layers between layer cut
/// points, each as module-path prefixes, bottom to top.
public struct BackboneRegions: Sendable {
    /// Module paths of each block (a block cut point's span of feature links that own parameters),
    /// bottom first; a span without parameters is left out.
    public let blocks: [(name: String, prefixes: [String])]
    /// Module paths of each layer (a layer cut point's span), bottom first.
    public let layers: [(name: String, prefixes: [String])]
    /// Parameter keys outside the feature extractor (pooling, classifier).
    public let headKeys: [String]

    public init(_ backbone: any Backbone) {
        let links = backbone.featureLinks.map(\.name)
        let keys = backbone.parameters().map(\.key)
        // Only links that own parameters (a ReLU or a pooling layer has none to train or group).
        let owning = Set(links.filter { link in keys.contains { ParameterFilter.prefix(link).matches($0) } })
        func spans(_ cuts: [CutPoint]) -> [(String, [String])] {
            var start = 0
            return cuts.sorted { $0.linkCount < $1.linkCount }.compactMap { cut in
                defer { start = cut.linkCount }
                let prefixes = cut.linkCount > start ? links[start..<cut.linkCount].filter(owning.contains) : []
                return prefixes.isEmpty ? nil : (cut.name, prefixes)
            }
        }
        blocks = spans(backbone.cutPoints(.block))
        layers = spans(backbone.cutPoints(.layer))
        let featureKeys = ParameterFilter.prefixes(links)
        headKeys = keys.filter { !featureKeys.matches($0) }
    }

    /// Prefixes of the top `count` blocks.
    public func topBlocks(_ count: Int) -> [String] { blocks.suffix(count).flatMap(\.prefixes) }

    /// Prefixes of the top `count` layers.
    public func topLayers(_ count: Int) -> [String] { layers.suffix(count).flatMap(\.prefixes) }
}
