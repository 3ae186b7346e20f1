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
/// a module ptflops counts (`self.relu(out)`, `self.avgpool(x)`) but the Scalpel layer applies a tensor
/// method, the layer declares it through ``InlineOperationReporting`` and the counter adds it.
///
/// The figures are those of ptflops (checked with 0.7.5) with
/// `backend_specific_config={'count_functional': False}`: module hooks only, which reproduces the TTL
/// paper's figures (ResNet-50: 4.12 GMACs; cut after `layer3`: 3.31 G). ptflops's default,
/// `count_functional=True`, also counts `torch.nn.functional` calls, and since `nn.ReLU` and the pooling
/// modules call `F.relu` / `F.max_pool2d` themselves it counts those twice (ResNet-50: 4.132 instead of
/// 4.122 GMACs, +0.25 %).
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

/// An operation a Scalpel layer applies as a tensor method where the PyTorch original calls a module
/// that ptflops counts, anchored to a leaf layer so the counter can size it.
public enum InlineOperation {
    /// A ReLU-family activation (`self.relu(out)` in torchvision) of `layer`'s output, or of a tensor of
    /// that shape (the sum after a residual connection): counts its elements.
    case activation(after: any Layer)
    /// A pooling module (torchvision's `avgpool`, squeeze-excitation's `avgpool`) applied to the output of
    /// the leaf layer that ran last before `layer`, whose result `layer` then takes: counts the
    /// pooled tensor's elements.
    case pooling(before: any Layer)
}

/// A layer or backbone that applies, as tensor methods, operations that ptflops counts as modules in the
/// PyTorch original (`relu()` for torchvision's `nn.ReLU`, `adaptiveAvgPool2d` for an
/// `nn.AdaptiveAvgPool2d`): it lists them so ``ModelComplexity`` counts them too.
///
/// Conforming here: ResNet's `BasicBlock` and `Bottleneck` (their inline ReLUs). The other families
/// apply what ptflops counts as layers (the mobile family's squeeze-excitation and head `avgpool`), and
/// what torchvision applies functionally (`F.relu` in DenseNet and Inception, MobileNetV2's
/// `F.adaptive_avg_pool2d`) ptflops does not count either, so their figures equal ptflops's as they are.
public protocol InlineOperationReporting: Module {
    /// The inline operations of one forward call; an entry listed twice happens twice.
    var inlineOperations: [InlineOperation] { get }
}

extension BasicBlock: InlineOperationReporting {
    // torchvision: relu(bn1(conv1(x))); relu(bn2(conv2(·)) + identity), the sum having bn2's shape.
    var inlineOperations: [InlineOperation] { [.activation(after: bn1), .activation(after: bn2)] }
}

extension Bottleneck: InlineOperationReporting {
    // torchvision: relu after bn1 and bn2, and after bn3(conv3(·)) + identity (bn3's shape).
    var inlineOperations: [InlineOperation] {
        [.activation(after: bn1), .activation(after: bn2), .activation(after: bn3)]
    }
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

/// Sums ``MACRule`` over the calls it sees, plus the declared inline operations.
final class MACCounter: ForwardObserver, @unchecked Sendable {
    private(set) var count = MACCount()
    /// Leaf layer → inline activations after it and inline poolings before it.
    private var activationsAfter: [ObjectIdentifier: Int] = [:]
    private var poolingsBefore: [ObjectIdentifier: Int] = [:]
    /// The output shape of the last leaf layer call.
    private var lastOutputShape: [Int]?

    init(model: any Module) {
        for (_, module) in model.namedModules() {
            guard let reporting = module as? any InlineOperationReporting else { continue }
            for operation in reporting.inlineOperations {
                switch operation {
                case .activation(let layer): activationsAfter[ObjectIdentifier(layer), default: 0] += 1
                case .pooling(let layer): poolingsBefore[ObjectIdentifier(layer), default: 0] += 1
                }
            }
        }
    }

    func layerDidForward(_ layer: any Layer, inputShape: [Int], outputShape: [Int]) {
        let identifier = ObjectIdentifier(layer)
        if let poolings = poolingsBefore[identifier], let pooled = lastOutputShape {
            add(poolings * pooled.reduce(1, *), .pooling)
        }
        if let rule = MACRule.macs(of: layer, inputShape: inputShape, outputShape: outputShape) {
            add(rule.1, rule.0)
        }
        if let activations = activationsAfter[identifier] {
            add(activations * outputShape.reduce(1, *), .activation)
        }
        lastOutputShape = outputShape
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
