// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// Size and cost of a model: parameters and MACs per sample at one input size.
public struct Complexity: Sendable, Hashable, Codable {
    /// Every parameter element (`sum(p.numel() for p in model.parameters())`).
    public var parameters: Int
    /// Parameter elements that require gradients (what ptflops reports as parameters).
    public var trainableParameters: Int
    /// MACs per sample, counted as ptflops counts them (see ``MACCount``).
    public var macs: MACCount
    /// The input the MACs were counted on, `[1, C, H, W]`.
    public var inputShape: [Int]
    /// The model's output for that input (`[1, classes]`, or a feature map `[1, C, h, w]`).
    public var outputShape: [Int]

    public init(parameters: Int, trainableParameters: Int, macs: MACCount, inputShape: [Int], outputShape: [Int]) {
        self.parameters = parameters
        self.trainableParameters = trainableParameters
        self.macs = macs
        self.inputShape = inputShape
        self.outputShape = outputShape
    }
}

/// Parameters, MACs and latency of any ``Layer``: a full ``Backbone``, a ``TruncatedBackbone``, or a
/// truncated backbone with a head (``TruncatedBackbone/withPooledLinearHead(classCount:generator:)``).
///
/// ```swift
/// let resnet = try Architecture.resnet50.makeModel()
/// let full = try ModelComplexity.measure(resnet, inputSize: 224)      // 25.56 M, 4.12 GMACs
/// let ttl = try resnet.truncated(at: "layer3").withPooledLinearHead(classCount: 2)
/// let cut = try ModelComplexity.measure(ttl, inputSize: 224)          // 8.55 M, 3.31 GMACs
/// ```
///
/// MACs come from one forward pass in evaluation mode without gradients, observed through
/// ``withForwardObserver(_:_:)``: no hooks are left behind and the modules' modes are restored after.
///
/// ### See Also
/// - ``MACCount``
/// - ``LatencyReport``
public enum ModelComplexity {
    /// Parameters and MACs of `model` on a `[1, channels, inputSize, inputSize]` input.
    ///
    /// The input lies on the device and has the dtype of the model's first parameter (CPU `float32`
    /// for a model without any).
    ///
    /// - Throws: ``TorchError`` when the model cannot take that input (too small for its poolings, say).
    public static func measure(_ model: any Layer, inputSize: Int = 224, channels: Int = 3) throws -> Complexity {
        try measure(model, inputShape: [1, channels, inputSize, inputSize])
    }

    /// Parameters and MACs of `model` on an input of `inputShape` (batch first; MACs are per sample).
    public static func measure(_ model: any Layer, inputShape: [Int]) throws -> Complexity {
        let input = try makeInput(for: model, shape: inputShape)
        let (macs, output) = try countMACs(model, input: input)
        return Complexity(parameters: model.parameterCount, trainableParameters: model.trainableParameterCount,
                          macs: macs, inputShape: inputShape, outputShape: output)
    }

    /// MACs per sample of one forward pass of `model` on `input`, and the output's shape.
    public static func countMACs(_ model: any Layer, input: Tensor) throws -> (macs: MACCount, outputShape: [Int]) {
        let counter = MACCounter(model: model)
        let output = try withEvaluationMode(model) {
            try withNoGrad { try withForwardObserver(counter) { try model(input) } }
        }
        let batch = input.rank > 0 ? input.shape[0] : 1
        return (counter.perSample(batchSize: max(batch, 1)), output.shape)
    }

    /// A tensor of `shape` filled with 0.5, on the device and with the dtype of the model's parameters.
    static func makeInput(for model: any Module, shape: [Int]) throws -> Tensor {
        let reference = model.parameters().first?.tensor
        return try Tensor.full(shape, value: 0.5, dtype: reference?.dtype ?? .float32, on: reference?.device ?? .cpu)
    }

    /// Runs `body` with every mode-dependent module of `model` in evaluation mode, then puts each
    /// module's own mode back.
    static func withEvaluationMode<R>(_ model: any Module, _ body: () throws -> R) rethrows -> R {
        let saved = model.namedModules().compactMap { $0.module as? any ModeDependent }.map { ($0, $0.mode) }
        model.setMode(.evaluation)
        defer { for (module, mode) in saved { module.mode = mode } }
        return try body()
    }
}

extension TruncatedBackbone {
    /// This feature extractor followed by TruncatedTL's pooled head, `AdaptiveAvgPool2d(1)` → `Flatten`
    /// → `Linear(cut.channels → classCount)` (TTL code's `--pooling` head, ALGORITHMS §1.1.3), the
    /// head whose size the TTL paper reports (ResNet-50 cut after `layer3`, 2 classes: 8.55 M).
    ///
    /// The result is a ``Sequential`` with children `0` (this backbone) and `1` (the head, itself
    /// `0` pool, `1` flatten, `2` linear); the Linear has PyTorch's default initialisation.
    ///
    /// - Throws: ``ArchitectureError`` when `classCount` is not positive, ``TorchError`` if the
    ///   weights cannot be created.
    public func withPooledLinearHead(classCount: Int, generator: Generator? = nil) throws -> Sequential {
        guard classCount > 0 else {
            throw ArchitectureError("a pooled linear head needs at least one class, got \(classCount)")
        }
        let head = Sequential([
            AdaptiveAvgPool2d(outputSize: 1), Flatten(),
            try Linear(inputFeatures: cut.channels, outputFeatures: classCount, generator: generator),
        ])
        return Sequential([self, head])
    }
}
