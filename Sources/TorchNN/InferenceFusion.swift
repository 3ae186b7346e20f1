// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization
import Torch

/// The eval-mode fast path: a convolution followed by an inference-mode batch norm (and an activation,
/// and in residual blocks the skip addition) runs as one oneDNN operator, with the batch norm folded
/// into a copy of the convolution's weights prepacked once in oneDNN's layout.
///
/// It applies by itself wherever it is exact: the batch norm normalises with its running statistics
/// (``ModuleMode/evaluation`` or ``BatchNorm2d/statisticsFrozen``), no forward observer is installed,
/// and either gradients are off or none of the convolution's and batch norm's parameters requires
/// them (a frozen model; gradients with respect to the *input* still flow, as Grad-CAM and attacks
/// need). The folded copies live beside the modules, never in their parameters, so state dicts keep
/// torchvision's keys and unfolded values; they are rebuilt when a weight or statistic changes and
/// dropped when the batch norm trains again.
public enum InferenceFusion {
    /// On unless the environment sets `SCALPEL_NO_FUSE=1` (as `--no-fuse` does for one command).
    private static let enabled = Atomic<Bool>(ProcessInfo.processInfo.environment["SCALPEL_NO_FUSE"] != "1")

    @TaskLocal private static var scoped: Bool?

    /// Whether the fast path may be used: the innermost ``with(enabled:_:)`` of this task, otherwise the
    /// process-wide setting (`--no-fuse` turns it off for debugging). On by default.
    public static var isEnabled: Bool {
        get { scoped ?? enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// Runs `body` with the fast path on or off for this task only (e.g. to compare both forms).
    public static func with<R>(enabled: Bool, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(enabled, operation: body)
    }
}

/// A convolution that can run fused with the batch norm after it (``Conv2d``, and wrappers around
/// one such as a convolution with TensorFlow's "same" padding).
public protocol BatchNormFusible: Layer {
    /// Whether `norm` applied to this layer's output of `input` would run fused now.
    func canFuse(with norm: BatchNorm2d, input: Tensor) -> Bool
    /// `activation(norm(self(input)) + residual)`, fused when ``canFuse(with:input:)``, otherwise
    /// computed module by module exactly as the unfused network does.
    func callAsFunction(_ input: Tensor, normalizedBy norm: BatchNorm2d, activation: FusedActivation,
                        adding residual: Tensor?) throws -> Tensor
}

extension BatchNormFusible {
    public func callAsFunction(_ input: Tensor, normalizedBy norm: BatchNorm2d,
                               activation: FusedActivation = .none) throws -> Tensor {
        try self(input, normalizedBy: norm, activation: activation, adding: nil)
    }
}

/// The folded (and prepacked) copy of a convolution + batch norm, and what it was made from.
final class FoldedConvolution {
    let fingerprint: UInt64
    let weight: Tensor
    let bias: Tensor?
    private(set) var packed: Tensor?
    private(set) var packedShape: [Int] = []
    /// The weight with the scale of a batch norm *before* the convolution folded into its input channels
    /// (DenseNet's pre-activation), and the fingerprint of that batch norm.
    private var inputScaled: (fingerprint: UInt64, weight: Tensor)?

    init(fingerprint: UInt64, weight: Tensor, bias: Tensor?) {
        self.fingerprint = fingerprint
        self.weight = weight
        self.bias = bias
    }

    /// ``weight`` scaled along its input channels by `norm`'s `γ/√(var + eps)`, made on first use and
    /// when the batch norm changes.
    func inputScaledWeight(by norm: BatchNorm2d, runningVariance: Tensor) throws -> Tensor {
        let key = ConvolutionFusion.fingerprint([norm.weight, runningVariance]) ^ norm.eps.bitPattern
        if let inputScaled, inputScaled.fingerprint == key { return inputScaled.weight }
        let scaled = try ConvolutionFusion.scaleInputChannels(weight: weight, runningVariance: runningVariance,
                                                              scale: norm.weight, eps: norm.eps)
        inputScaled = (key, scaled)
        return scaled
    }

    /// The weight in oneDNN's layout for inputs of `shape`, packed on first use and on a change of shape.
    func packedWeight(for conv: Conv2d, inputShape shape: [Int]) throws -> Tensor? {
        guard ConvolutionFusion.isAvailable, weight.dtype == .float32, weight.device == .cpu else { return nil }
        if let packed, packedShape == shape { return packed }
        packed = try ConvolutionFusion.prepack(weight: weight, stride: conv.stride.pair, padding: conv.padding.pair,
                                               dilation: conv.dilation.pair, groups: conv.groups, inputShape: shape)
        packedShape = shape
        return packed
    }
}

extension Conv2d: BatchNormFusible {
    public func canFuse(with norm: BatchNorm2d, input: Tensor) -> Bool {
        canRunFused(input, preActivatedBy: nil, normalizedBy: norm)
    }

    /// Whether `after(self(relu(before(input))))` (each batch norm optional) may run as one fused node now;
    /// drops the folded copy where it could go stale.
    func canRunFused(_ input: Tensor, preActivatedBy before: BatchNorm2d?, normalizedBy after: BatchNorm2d?) -> Bool {
        let normsFit = after.map { $0.usesRunningStatistics && $0.featureCount == outputChannels } ?? true
        let preFits = before.map { $0.usesRunningStatistics && $0.featureCount == inputChannels && groups == 1 } ?? true
        guard normsFit, preFits else {
            // A batch norm that trains again updates its statistics in place: drop the folded copy.
            if folded != nil { folded = nil }
            return false
        }
        guard InferenceFusion.isEnabled, !isForwardObserverInstalled, input.rank == 4,
              input.dtype == weight.dtype, input.device == weight.device else { return false }
        // Under autocast (`--precision bf16`) libtorch's own convolutions run in the lower precision;
        // the fused operator would compute in float32 and undo the choice.
        guard !isAutocastEnabled(on: input.device) else { return false }
        if isGradEnabled {
            let involved = [weight, bias, after?.weight, after?.bias, before?.weight, before?.bias]
            if involved.contains(where: { $0?.requiresGradient == true }) {
                // Training these parameters: optimizers (fused Adam) and batch norm's statistic updates
                // write in place without bumping version counters, so a fold could go stale unseen.
                folded = nil
                return false
            }
            // A training step through a frozen part (nothing asks for the input's gradient) stays
            // unfused, as before: the fast path is for eval-mode work and input gradients.
            guard input.requiresGradient else { return false }
        }
        return true
    }

    public func callAsFunction(_ input: Tensor, normalizedBy norm: BatchNorm2d, activation: FusedActivation,
                               adding residual: Tensor?) throws -> Tensor {
        guard canFuse(with: norm, input: input), norm.runningMean != nil, norm.runningVariance != nil else {
            return try Self.unfused(norm(self(input)), activation: activation, adding: residual)
        }
        let plan = try foldedPlan(normalizedBy: norm)
        return try input.fusedConv2d(weight: plan.weight, packedWeight: plan.packedWeight(for: self, inputShape: input.shape),
                                     bias: plan.bias, residual: residual, stride: stride.pair, padding: padding.pair,
                                     dilation: dilation.pair, groups: groups, activation: activation)
    }

    /// The folded copy for `norm` (or the detached weights themselves when no batch norm follows), reused
    /// while nothing it was made from changed.
    func foldedPlan(normalizedBy norm: BatchNorm2d?) throws -> FoldedConvolution {
        guard let norm, let mean = norm.runningMean, let variance = norm.runningVariance else {
            let fingerprint = ConvolutionFusion.fingerprint([weight, bias]) ^ 0x5ca1_9e1_0f01d  // never a fold's
            if let folded, folded.fingerprint == fingerprint { return folded }
            let plan = try FoldedConvolution(fingerprint: fingerprint, weight: weight.detached(), bias: bias?.detached())
            folded = plan
            return plan
        }
        let fingerprint = ConvolutionFusion.fingerprint([weight, bias, norm.weight, norm.bias, mean, variance])
            ^ norm.eps.bitPattern
        if let folded, folded.fingerprint == fingerprint { return folded }
        let (w, b) = try ConvolutionFusion.foldBatchNorm(weight: weight, bias: bias, runningMean: mean,
                                                         runningVariance: variance, scale: norm.weight,
                                                         shift: norm.bias, eps: norm.eps)
        let plan = FoldedConvolution(fingerprint: fingerprint, weight: w, bias: b)
        folded = plan
        return plan
    }

    /// `activation(normalized + residual)` with the unfused network's operators (in place on the batch
    /// norm's fresh output, as torchvision's blocks do).
    static func unfused(_ normalized: Tensor, activation: FusedActivation, adding residual: Tensor?) throws -> Tensor {
        var y = normalized
        if let residual { y = try y.addRecordingInPlace(residual) }
        switch activation {
        case .none: return y
        case .relu: return try y.reluInPlace()
        case .relu6: return try y.relu6()
        case .silu: return try y.silu()
        case .hardswish: return try y.hardswish()
        }
    }
}

extension BatchNorm2d {
    /// Whether the layer normalises with its running statistics now (and so can be folded).
    var usesRunningStatistics: Bool { tracksRunningStatistics && (mode == .evaluation || statisticsFrozen) }
}

/// The activation a layer applies, when it is one a fused convolution can apply.
func fusedActivation(of layer: any Layer) -> FusedActivation? {
    switch layer {
    case is ReLU: .relu
    case is ReLU6: .relu6
    case is SiLU: .silu
    case is Hardswish: .hardswish
    default: nil
    }
}

/// Applies `layers` in order, running each `[convolution, batch norm, activation?]` run as one fused
/// convolution where ``BatchNormFusible/canFuse(with:input:)`` allows, and never fusing across a
/// layer after which `keepsOutput(index)` wants the output.
///
/// - Parameter observe: called with each index whose output `keepsOutput` asked for, and that output.
public func forwardFusing(_ layers: [any Layer], _ input: Tensor, keepsOutput: (Int) -> Bool = { _ in false },
                          observe: (Int, Tensor) -> Void = { _, _ in }) throws -> Tensor {
    var x = input
    var index = 0
    while index < layers.count {
        if let (y, last) = try preActivatedRun(layers, from: index, x, keepsOutput: keepsOutput) {
            x = y
            if keepsOutput(last) { observe(last, x) }
            index = last + 1
            continue
        }
        if index + 1 < layers.count, !keepsOutput(index), let conv = layers[index] as? any BatchNormFusible,
           let norm = layers[index + 1] as? BatchNorm2d, conv.canFuse(with: norm, input: x) {
            var activation = FusedActivation.none
            var last = index + 1
            if index + 2 < layers.count, !keepsOutput(index + 1), let fused = fusedActivation(of: layers[index + 2]) {
                activation = fused
                last = index + 2
            }
            x = try conv(x, normalizedBy: norm, activation: activation, adding: nil)
            if keepsOutput(last) { observe(last, x) }
            index = last + 1
            continue
        }
        x = try layers[index](x)
        if keepsOutput(index) { observe(index, x) }
        index += 1
    }
    return x
}

/// A `[batch norm, ReLU, convolution, (batch norm, activation?)?]` run starting at `index` (DenseNet's
/// transitions) computed as one fused node, and the index of its last layer; nil where it does not apply.
private func preActivatedRun(_ layers: [any Layer], from index: Int, _ input: Tensor,
                             keepsOutput: (Int) -> Bool) throws -> (Tensor, Int)? {
    guard index + 2 < layers.count, !keepsOutput(index), !keepsOutput(index + 1),
          let before = layers[index] as? BatchNorm2d, layers[index + 1] is ReLU, let conv = layers[index + 2] as? Conv2d
    else { return nil }
    var last = index + 2
    var after: BatchNorm2d?
    var activation = FusedActivation.none
    if last + 1 < layers.count, !keepsOutput(last), let norm = layers[last + 1] as? BatchNorm2d {
        after = norm
        last += 1
        if last + 1 < layers.count, !keepsOutput(last), let fused = fusedActivation(of: layers[last + 1]) {
            activation = fused
            last += 1
        }
    }
    guard let y = try conv.fused(input, preActivatedBy: before, normalizedBy: after, activation: activation) else {
        return nil
    }
    return (y, last)
}
