// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import TorchNN
import TorchOptim

/// The engine smoke run behind `scalpel demo` until the real demo (EfficientNet-Lite0 on
/// PneumoniaMNIST) lands: a small CNN learns a synthetic two-class image task end to end —
/// data on the device, forward, cross-entropy, backward, Adam — and reports its test accuracy.
///
/// The task is clearly synthetic: 1×32×32 noise images with a bright disc at a random place, of
/// radius 6 for class 1 and 3 for class 0, so a working engine reaches near-perfect accuracy.
public struct EngineDemo {
    public struct Configuration: Sendable {
        public var device: Device = .cpu
        public var seed: UInt64 = 0
        public var epochs = 4
        public var trainingCount = 512
        public var testCount = 256
        public var batchSize = 32
        public var learningRate = 3e-3
        public init() {}
    }

    /// One line of progress, reported after every epoch.
    public struct EpochSummary: Sendable {
        public var epoch: Int
        public var trainingLoss: Double
        public var testAccuracy: Double
        public var imagesPerSecond: Double
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Trains and evaluates, calling `report` after each epoch; returns the summaries.
    public func run(report: (EpochSummary) -> Void = { _ in }) throws -> [EpochSummary] {
        let c = configuration
        let generator = try Generator(seed: c.seed)
        let (trainImages, trainLabels) = try Self.makeImages(count: c.trainingCount, generator: generator, device: c.device)
        let (testImages, testLabels) = try Self.makeImages(count: c.testCount, generator: generator, device: c.device)
        let model = try SmallCNN(generator: generator)
        try model.move(to: c.device)
        let optimizer = try Adam([ParameterGroup(parameters: model.parameters())], learningRate: c.learningRate)
        var summaries: [EpochSummary] = []
        for epoch in 1 ... c.epochs {
            model.setMode(.training)
            let order = try Tensor.randperm(c.trainingCount, generator: generator).to(device: c.device)
            var lossSum = 0.0
            var batches = 0
            let start = Date()
            for first in stride(from: 0, to: c.trainingCount, by: c.batchSize) {
                let indices = try order.slice(axis: 0, start: first, end: first + c.batchSize)
                let images = try trainImages.indexSelect(axis: 0, indices: indices)
                let labels = try trainLabels.indexSelect(axis: 0, indices: indices)
                try optimizer.zeroGradients()
                let loss = try crossEntropy(logits: model(images), targets: labels)
                try loss.backward()
                try optimizer.step()
                lossSum += try loss.item()
                batches += 1
            }
            let seconds = Date().timeIntervalSince(start)
            let accuracy = try Self.accuracy(of: model, images: testImages, labels: testLabels)
            let summary = EpochSummary(epoch: epoch, trainingLoss: lossSum / Double(batches), testAccuracy: accuracy,
                                       imagesPerSecond: Double(c.trainingCount) / max(seconds, 1e-9))
            report(summary)
            summaries.append(summary)
        }
        return summaries
    }

    static func accuracy(of model: SmallCNN, images: Tensor, labels: Tensor) throws -> Double {
        model.setMode(.evaluation)
        return try withNoGrad {
            let predictions = try model(images).argmax(axis: 1)
            return try predictions.eq(labels).to(dtype: .float64).mean().item()
        }
    }

    /// Noise images with a bright disc of radius 6 (class 1) or 3 (class 0) at a random place; int64 labels.
    static func makeImages(count: Int, generator: Generator, device: Device) throws -> (Tensor, Tensor) {
        let size = 32
        let labels = try Tensor.randint(high: 2, shape: [count], generator: generator)
        let rows = try Tensor.arange(to: Double(size), dtype: .float32).reshaped(to: [1, size, 1])
        let columns = try Tensor.arange(to: Double(size), dtype: .float32).reshaped(to: [1, 1, size])
        let centreRow = try Tensor.rand([count, 1, 1], generator: generator) * 16 + 8
        let centreColumn = try Tensor.rand([count, 1, 1], generator: generator) * 16 + 8
        let radius = try (labels.to(dtype: .float32) * 3 + 3).reshaped(to: [count, 1, 1])
        let distance = try (rows - centreRow).square() + (columns - centreColumn).square()
        let disc = try distance.lt(radius.square()).to(dtype: .float32)
        let noise = try Tensor.randn([count, size, size], generator: generator) * 0.3
        let images = try (disc + noise).unsqueezed(axis: 1)
        return (try images.to(device: device), try labels.to(device: device))
    }
}

/// Two conv–BN–ReLU–pool stages and a linear classifier.
final class SmallCNN: Layer {
    let features: Sequential
    let classifier: Linear

    init(generator: Generator) throws {
        features = Sequential([
            try Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, bias: false, generator: generator),
            try BatchNorm2d(featureCount: 16), ReLU(), MaxPool2d(kernelSize: 2),
            try Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1, bias: false, generator: generator),
            try BatchNorm2d(featureCount: 32), ReLU(), AdaptiveAvgPool2d(outputSize: 1),
        ])
        classifier = try Linear(inputFeatures: 32, outputFeatures: 2, generator: generator)
    }

    var namedChildren: [(String, any Module)] { [("features", features), ("classifier", classifier)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try classifier(features(input).flattened(from: 1))
    }
}
