// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A backbone family that builds TransFusion's slim variant of itself (``SlimTop``). The family
/// knows which of its block cut points have a stage above them to slim and how its stages are
/// numbered, so a transfer strategy asks the backbone instead of switching on its family.
/// ``ResNet``, ``DenseNet`` and ``EfficientNetLite`` are slimmable.
public protocol SlimmableBackbone: Backbone {
    /// The block cut points a slim top can start above, bottom first (never the top block: nothing
    /// above it would be slimmed).
    var slimmableCuts: [String] { get }

    /// The ``SlimTop`` whose first slim stage is the one right above the block cut point `cut`.
    ///
    /// - Throws: ``ArchitectureError`` when `cut` is not one of ``slimmableCuts``.
    func slimTop(above cut: String, widthDivisor: Int) throws -> SlimTop

    /// The same architecture built with `slimTop`, freshly initialised, for `classCount` classes.
    func makeSlim(_ slimTop: SlimTop, classCount: Int, generator: Generator?) throws -> any Backbone
}

extension SlimmableBackbone {
    /// The position of `cut` among the block cut points, checked against ``slimmableCuts``.
    func slimmableBlockIndex(_ cut: String) throws -> Int {
        guard slimmableCuts.contains(cut), let index = cutPoints(.block).firstIndex(where: { $0.name == cut }) else {
            throw ArchitectureError("\(architecture.rawValue) cannot slim above '\(cut)'; slimmable cuts: \(slimmableCuts.joined(separator: ", "))")
        }
        return index
    }
}

extension ResNet: SlimmableBackbone {
    /// `stem`, `layer1` … `layer3`.
    public var slimmableCuts: [String] { cutPoints(.block).dropLast().map(\.name) }

    /// Block 0 is the stem, block i ≥ 1 is `layer`i: the first slim stage is the block's index + 1.
    public func slimTop(above cut: String, widthDivisor: Int) throws -> SlimTop {
        SlimTop(firstStage: try slimmableBlockIndex(cut) + 1, widthDivisor: widthDivisor)
    }

    public func makeSlim(_ slimTop: SlimTop, classCount: Int, generator: Generator?) throws -> any Backbone {
        try ResNet(architecture, classCount: classCount, generator: generator, slimTop: slimTop)
    }
}

extension DenseNet: SlimmableBackbone {
    /// The dense blocks and transitions below the top dense block (`norm5` and the top dense block
    /// have no stage above them).
    public var slimmableCuts: [String] {
        cutPoints(.block).map(\.name).filter { $0.contains("denseblock") || $0.contains("transition") }.dropLast()
    }

    /// The first slim dense block is the one after the dense blocks kept.
    public func slimTop(above cut: String, widthDivisor: Int) throws -> SlimTop {
        let index = try slimmableBlockIndex(cut)
        let kept = cutPoints(.block).prefix(index + 1).filter { $0.name.contains("denseblock") }.count
        return SlimTop(firstStage: kept + 1, widthDivisor: widthDivisor)
    }

    public func makeSlim(_ slimTop: SlimTop, classCount: Int, generator: Generator?) throws -> any Backbone {
        try DenseNet(architecture, classCount: classCount, generator: generator, slimTop: slimTop)
    }
}

extension EfficientNetLite: SlimmableBackbone {
    /// `stem` and the last block of each stage (the head has nothing above it).
    public var slimmableCuts: [String] { cutPoints(.block).dropLast().map(\.name) }

    /// Block 0 is the stem, block i ≥ 1 ends stage i − 1: the first slim stage is the block's index
    /// (the top stage's block leaves the head convolution alone to slim, stage 7).
    public func slimTop(above cut: String, widthDivisor: Int) throws -> SlimTop {
        SlimTop(firstStage: try slimmableBlockIndex(cut), widthDivisor: widthDivisor)
    }

    public func makeSlim(_ slimTop: SlimTop, classCount: Int, generator: Generator?) throws -> any Backbone {
        try EfficientNetLite(architecture, classCount: classCount, generator: generator, slimTop: slimTop)
    }
}
