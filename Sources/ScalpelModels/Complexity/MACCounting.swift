// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// Multiply-accumulate operations of one forward pass, per sample, counted as ptflops counts them.
///
/// ptflops (sovrasov/flops-counter.pytorch, `backend='pytorch'`) registers forward hooks on leaf modules
/// of known types and adds, per call (`N` the batch size, "elements" including `N`):
///
/// | layer | MACs |
/// |---|---|
/// | `Conv2d` | `N·H'·W' · kH·kW · inputChannels · outputChannels / groups` (+ output elements with a bias) |
/// | `Linear` | `(inputFeatures · outputFeatures + outputFeatures if bias) ·` (elements before the last axis) |
/// | `BatchNorm2d` | input elements, ×2 when affine |
/// | `ReLU`, `ReLU6`, `GELU` | output elements |
/// | `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d` | input elements |
/// | `SiLU`, `Sigmoid`, `Hardswish`, `Hardsigmoid`, `Dropout`, `Identity`, `Flatten` | 0 (no ptflops hook) |
///
/// (ptflops counts an `nn.Upsample` as its output elements; TorchNN has no upsampling layer.) The total
/// is divided by the batch size. Anything that is not a leaf layer call counts nothing: tensor methods
/// (`x.relu()`, `x.adaptiveAvgPool2d(…)`), residual additions and concatenations, as in ptflops, where
/// `out += identity` and `torch.cat` are not counted either.
///
/// One exception keeps the figures equal to ptflops's on torchvision's models: where torchvision calls
/// an `nn.ReLU` module (which ptflops counts) but the Scalpel block applies `relu()` as a tensor method,
/// the block declares it through ``InlineActivationReporting`` and the counter adds the activation's
/// elements. ResNet's `BasicBlock` and `Bottleneck` do.
///
/// The figures are those of ptflops with `backend_specific_config={'count_functional': False}`, the
/// module-hook counting of ptflops 0.6 that the TTL paper reports (ResNet-50: 4.12 GMACs). ptflops ≥ 0.7
/// by default also counts `torch.nn.functional` calls, and since `nn.ReLU` and the pooling modules call
/// `F.relu` / `F.max_pool2d` themselves, it counts those twice (ResNet-50: 4.132 instead of 4.122 GMACs).
public struct MACCount: Sendable, Hashable, Codable {
    /// Where MACs come from.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case convolution, linear, normalization, activation, pooling
    }

    /// MACs per sample, all kinds together.
    public var total: Int
    /// MACs per sample of each kind (kinds with none are absent).
    public var byKind: [Kind: Int]

    public init(total: Int = 0, byKind: [Kind: Int] = [:]) {
        self.total = total
        self.byKind = byKind
    }

    /// MACs in units of 10⁹, as papers report them ("4.12 GMACs").
    public var giga: Double { Double(total) / 1e9 }
}

/// A layer that applies element-wise activations as tensor methods (`relu()`) where the PyTorch original
/// calls an activation module that ptflops counts (`self.relu(out)`): it names the leaf layers whose
/// output (shape) each such activation takes, so ``ModelComplexity`` counts them too.
///
/// A layer listed twice stands for two activations after it.
public protocol InlineActivationReporting: Module {
    /// Leaf layers each followed, in the forward pass, by one inline ReLU-family activation of the same shape.
    var layersFollowedByInlineActivation: [any Layer] { get }
}

extension BasicBlock: InlineActivationReporting {
    // torchvision: relu(bn1(conv1(x))); relu(bn2(conv2(·)) + identity), the sum having bn2's shape.
    var layersFollowedByInlineActivation: [any Layer] { [bn1, bn2] }
}

extension Bottleneck: InlineActivationReporting {
    // torchvision: relu after bn1 and bn2, and after bn3(conv3(·)) + identity (bn3's shape).
    var layersFollowedByInlineActivation: [any Layer] { [bn1, bn2, bn3] }
}

/// ptflops's rule for one leaf layer call, for all samples of the batch.
enum MACRule {
    static func macs(of layer: any Layer, inputShape: [Int], outputShape: [Int]) -> (MACCount.Kind, Int)? {
        let inputElements = inputShape.reduce(1, *)
        let outputElements = outputShape.reduce(1, *)
        switch layer {
        case let conv as Conv2d:
            guard outputShape.count >= 3 else { return nil }
            // Unbatched [C, H, W] input: one sample.
            let batch = outputShape.count == 4 ? outputShape[0] : 1
            let positions = batch * outputShape.suffix(2).reduce(1, *)
            let perPosition = conv.kernelSize.height * conv.kernelSize.width * conv.inputChannels
                * (conv.outputChannels / conv.groups)
            return (.convolution, positions * perPosition + (conv.hasBias ? outputElements : 0))
        case let linear as Linear:
            let rows = inputShape.dropLast().reduce(1, *)
            let perRow = linear.inputFeatures * linear.outputFeatures + (linear.hasBias ? linear.outputFeatures : 0)
            return (.linear, rows * perRow)
        case let norm as BatchNorm2d:
            return (.normalization, inputElements * (norm.isAffine ? 2 : 1))
        case is ReLU, is ReLU6, is GELU:
            return (.activation, outputElements)
        case is MaxPool2d, is AvgPool2d, is AdaptiveAvgPool2d:
            return (.pooling, inputElements)
        default:
            return nil  // SiLU, Sigmoid, Hardswish, Hardsigmoid, Dropout, Identity, Flatten: no ptflops hook
        }
    }
}

/// Sums ``MACRule`` over the calls it sees, plus the declared inline activations.
final class MACCounter: ForwardObserver, @unchecked Sendable {
    private(set) var count = MACCount()
    /// Leaf layer → number of inline activations that follow it.
    private let inlineActivations: [ObjectIdentifier: Int]

    init(model: any Module) {
        var inline: [ObjectIdentifier: Int] = [:]
        for (_, module) in model.namedModules() {
            guard let reporting = module as? any InlineActivationReporting else { continue }
            for layer in reporting.layersFollowedByInlineActivation {
                inline[ObjectIdentifier(layer), default: 0] += 1
            }
        }
        inlineActivations = inline
    }

    func layerDidForward(_ layer: any Layer, inputShape: [Int], outputShape: [Int]) {
        if let rule = MACRule.macs(of: layer, inputShape: inputShape, outputShape: outputShape) {
            add(rule.1, rule.0)
        }
        if let activations = inlineActivations[ObjectIdentifier(layer)] {
            add(activations * outputShape.reduce(1, *), .activation)
        }
    }

    private func add(_ macs: Int, _ kind: MACCount.Kind) {
        count.total += macs
        count.byKind[kind, default: 0] += macs
    }

    /// The count per sample of a batch of `batchSize`.
    func perSample(batchSize: Int) -> MACCount {
        guard batchSize > 1 else { return count }
        return MACCount(total: count.total / batchSize, byKind: count.byKind.mapValues { $0 / batchSize })
    }
}
