// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelDownload
import ScalpelModels
import Torch
import TorchNN

/// Training-time augmentation.
public enum Augmentation: String, Codable, CaseIterable, Sendable {
    /// None (the MedMNIST protocol).
    case none
    /// Random resized crop (scale 0.8–1), rotation up to 10°, brightness and contrast ±10 %.
    case standard
    /// `standard` plus horizontal flips (not for images whose sides differ, such as chest X-rays).
    case flip
}

/// The backbone, its starting weights and how images are prepared for it (the `model:` section of a
/// run specification; `architecture` is `--model`, the other fields the options of the same name).
/// Normalisation comes from the weights' pretrained configuration.
public struct ModelSpecification: Codable, Equatable, Sendable {
    public var architecture: String = "efficientnet_lite0"
    /// `imagenet` (the architecture's default ImageNet weights), `none` (random), or a weight file.
    public var weights: String = "imagenet"
    /// Image side fed to the network; nil: the native size for `*_28` models, else the backbone's input size.
    public var imageSize: Int?
    /// BatchNorm momentum while training.
    public var bnMomentum: Double = 0.1
    public var augment: Augmentation = .none

    public init() {}

    enum CodingKeys: String, CodingKey {
        case architecture, weights, imageSize = "image-size", bnMomentum = "bn-momentum", augment
    }

    /// The architecture, checked.
    public func resolvedArchitecture() throws -> Architecture {
        do { return try Architecture(named: architecture) } catch { throw ExperimentError("--model: \(error)") }
    }

    public var isPretrained: Bool { weights.lowercased() != "none" }

    /// The side images are resized to.
    public func resolvedImageSize(nativeSize: Int) throws -> Int {
        let architecture = try resolvedArchitecture()
        return imageSize ?? (architecture.isSmallInput ? nativeSize : architecture.pretrainedConfig.inputSize)
    }

    /// Where the starting weights are on disk, or nil for random weights (`none`).
    ///
    /// - Parameter allowDownload: false: only a file already present counts (a check before a long job).
    public func weightFile(allowDownload: Bool = true) throws -> URL? {
        guard isPretrained else { return nil }
        return try WeightStore().resolve(weights.lowercased() == "imagenet" ? "DEFAULT" : weights, for: try resolvedArchitecture(),
                                         allowDownload: allowDownload, progress: DownloadProgress.printToStandardError)
    }

    /// The backbone for `classCount` classes and `inputChannels`-channel images: fresh weights from
    /// `seed`, then the pretrained ones when asked (first convolution adapted, classifier reset).
    public func buildBackbone(classCount: Int, inputChannels: Int, seed: UInt64,
                              report: (String) -> Void = { _ in }) throws -> any Backbone {
        let architecture = try resolvedArchitecture()
        let generator = try Generator(seed: seed)
        let model = try architecture.makeModel(classCount: classCount, generator: generator)
        if let url = try weightFile() {
            let loadReport = try model.loadPretrained(from: url, classCount: classCount, inputChannels: inputChannels,
                                                      generator: generator)
            report("weights: \(loadReport)")
        } else if inputChannels != 3 {
            try model.adaptInputChannels(inputChannels)
        }
        applyBatchNormMomentum(to: model)
        return model
    }

    /// Gives every batch norm of `model` this specification's momentum. The backbone gets it when built;
    /// a strategy that builds new layers (TransFusion's slim top) needs it again on its network, or
    /// those layers keep their family's default (EfficientNet-Lite: 0.01).
    public func applyBatchNormMomentum(to model: any Module) {
        for (_, module) in model.namedModules() {
            if let norm = module as? BatchNorm2d { norm.momentum = bnMomentum }
        }
    }

    /// The architecture with fresh random weights: to read its cut points, measure its cost, or load a
    /// checkpoint into.
    public func randomBackbone(classCount: Int, inputChannels: Int) throws -> any Backbone {
        var fresh = self
        fresh.weights = "none"
        return try fresh.buildBackbone(classCount: classCount, inputChannels: inputChannels, seed: 0)
    }

    /// Evaluation preprocessing: resize the shorter side and centre-crop to `size`, three channels
    /// when the network takes them, normalise as the weights expect (MedMNIST's 0.5/0.5 without
    /// pretrained weights). Output: float32 `[channels, size, size]`.
    public func evaluationTransform(size: Int, channels: Int) throws -> any Transform {
        Compose(base(size: size, channels: channels) + [try normalization(channels: channels)])
    }

    /// ``evaluationTransform(size:channels:)`` with ``augment``'s random changes before normalisation.
    public func trainingTransform(size: Int, channels: Int) throws -> any Transform {
        var steps = base(size: size, channels: channels)
        switch augment {
        case .none: break
        case .standard, .flip:
            steps += [RandomResizedCrop(size: size, scale: 0.8...1), RandomRotation(degrees: 10),
                      ColorJitter(brightness: 0.1, contrast: 0.1)]
            if augment == .flip { steps.append(RandomHorizontalFlip()) }
        }
        return Compose(steps + [try normalization(channels: channels)])
    }

    private func base(size: Int, channels: Int) -> [any Transform] {
        var steps: [any Transform] = [Resize(shorterSide: size), CenterCrop(size: size)]
        if channels == 3 { steps.append(GrayToRGB()) }
        return steps
    }

    private func normalization(channels: Int) throws -> Normalize {
        guard isPretrained else {
            return Normalize(mean: Array(repeating: 0.5, count: channels), std: Array(repeating: 0.5, count: channels))
        }
        let config = try resolvedArchitecture().pretrainedConfig
        let mean = config.mean.map { Float($0 / config.scale) }, std = config.std.map { Float($0 / config.scale) }
        if channels == 3 { return Normalize(mean: mean, std: std) }
        // A grey image through summed RGB kernels: one mean and deviation, the average of the three.
        return Normalize(mean: [mean.reduce(0, +) / 3], std: [std.reduce(0, +) / 3])
    }
}
