// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0

/// TransFusion's "slim" top (Raghu et al. 2019, "Transfusion: Understanding Transfer Learning for
/// Medical Imaging" <https://arxiv.org/abs/1902.07208>): the stages from `firstStage` on are built
/// with their width divided by `widthDivisor`, with the network's own keys and fresh initialisation.
/// Which stage a number means is the architecture's to say (``ResNet``: `layer1` … `layer4` are
/// 1 … 4; ``DenseNet``: dense blocks 1 … 4, their growth rate divided; ``EfficientNetLite``: its
/// seven stages are 0 … 6 and 7 is the head convolution alone).
public struct SlimTop: Sendable, Hashable {
    /// The first slimmed stage.
    public var firstStage: Int
    /// What the stage width is divided by (TransFusion: 2).
    public var widthDivisor: Int

    public init(firstStage: Int, widthDivisor: Int = 2) {
        self.firstStage = firstStage
        self.widthDivisor = widthDivisor
    }
}
