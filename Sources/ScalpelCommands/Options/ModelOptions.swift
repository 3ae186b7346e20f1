// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelData
import ScalpelDownload
import ScalpelModels
import Torch
import TorchNN

/// Training-time augmentation.
enum Augmentation: String, CaseIterable, ExpressibleByArgument {
    /// None (the MedMNIST protocol).
    case none
    /// Random resized crop (scale 0.8–1), rotation up to 10°, brightness and contrast ±10 %.
    case standard
    /// `standard` plus horizontal flips (not for images whose sides differ, such as chest X-rays).
    case flip
}

/// The backbone, its weights and how images are prepared for it.
struct ModelOptions: ParsableArguments {
    @Option(help: "Backbone architecture (scalpel models lists them).")
    var model: String = "efficientnet_lite0"

    @Option(help: "imagenet (the architecture's default ImageNet weights), none (random initialisation), or a weight file.")
    var weights: String = "imagenet"

    @Option(help: "Image side fed to the network (default: the native size for *_28 models, else the backbone's input size).")
    var imageSize: Int?

    @Option(help: "BatchNorm momentum while training. 0.1 (PyTorch's default) by default, also for weights trained with 0.01 (EfficientNet-Lite): on small medical sets 0.01 lets the running statistics lag training.")
    var bnMomentum: Double = 0.1

    @Option(help: "Training augmentation: none, standard (crop, rotation, brightness/contrast) or flip (standard + horizontal flips).")
    var augment: Augmentation = .none

    func validate() throws {
        _ = try architecture()
        if let imageSize, imageSize < 8 || imageSize > 1024 {
            throw ValidationError("--image-size must be between 8 and 1024, got \(imageSize).")
        }
        guard bnMomentum > 0, bnMomentum <= 1 else {
            throw ValidationError("--bn-momentum must be in (0, 1], got \(bnMomentum).")
        }
    }

    func architecture() throws -> Architecture {
        do { return try Architecture(named: model) } catch { throw ValidationError("--model: \(error)") }
    }

    var isPretrained: Bool { weights.lowercased() != "none" }

    /// The side images are resized to.
    func resolvedImageSize(nativeSize: Int) throws -> Int {
        let architecture = try architecture()
        return imageSize ?? (architecture.isSmallInput ? nativeSize : architecture.pretrainedConfig.inputSize)
    }

    /// The backbone for `classCount` classes and `inputChannels`-channel images: fresh weights from
    /// `seed`, then the pretrained ones when asked (first convolution adapted, classifier reset).
    func buildBackbone(classCount: Int, inputChannels: Int, seed: UInt64, report: (String) -> Void) throws -> any Backbone {
        let architecture = try architecture()
        let generator = try Generator(seed: seed)
        let model = try architecture.makeModel(classCount: classCount, generator: generator)
        if isPretrained {
            let store = WeightStore()
            let url = try store.resolve(weights.lowercased() == "imagenet" ? "DEFAULT" : weights, for: architecture,
                                        progress: DownloadProgress.printToStandardError)
            let loadReport = try model.loadPretrained(from: url, classCount: classCount, inputChannels: inputChannels,
                                                      generator: generator)
            report("weights: \(loadReport)")
        } else if inputChannels != 3 {
            try model.adaptInputChannels(inputChannels)
        }
        for (_, module) in model.namedModules() {
            if let norm = module as? BatchNorm2d { norm.momentum = bnMomentum }
        }
        return model
    }

    /// The architecture with fresh random weights: to read its cut points, measure its cost, or load a
    /// checkpoint into.
    func randomBackbone(classCount: Int, inputChannels: Int) throws -> any Backbone {
        var fresh = self
        fresh.weights = "none"
        return try fresh.buildBackbone(classCount: classCount, inputChannels: inputChannels, seed: 0, report: { _ in })
    }

    /// Evaluation preprocessing: resize the shorter side and centre-crop to `size`, three channels
    /// when the network takes them, normalise as the weights expect (MedMNIST's 0.5/0.5 without
    /// pretrained weights).
    func evaluationTransform(size: Int, channels: Int) throws -> any Transform {
        Compose(try base(size: size, channels: channels) + [try normalization(channels: channels)])
    }

    /// ``evaluationTransform(size:channels:)`` with the ``augment`` option's random changes before
    /// normalisation.
    func trainingTransform(size: Int, channels: Int) throws -> any Transform {
        var steps = try base(size: size, channels: channels)
        switch augment {
        case .none: break
        case .standard, .flip:
            steps += [RandomResizedCrop(size: size, scale: 0.8...1), RandomRotation(degrees: 10),
                      ColorJitter(brightness: 0.1, contrast: 0.1)]
            if augment == .flip { steps.append(RandomHorizontalFlip()) }
        }
        return Compose(steps + [try normalization(channels: channels)])
    }

    private func base(size: Int, channels: Int) throws -> [any Transform] {
        var steps: [any Transform] = [Resize(shorterSide: size), CenterCrop(size: size)]
        if channels == 3 { steps.append(GrayToRGB()) }
        return steps
    }

    private func normalization(channels: Int) throws -> Normalize {
        guard isPretrained else {
            return Normalize(mean: Array(repeating: 0.5, count: channels), std: Array(repeating: 0.5, count: channels))
        }
        let config = try architecture().pretrainedConfig
        let mean = config.mean.map { Float($0 / config.scale) }, std = config.std.map { Float($0 / config.scale) }
        if channels == 3 { return Normalize(mean: mean, std: std) }
        // A grey image through summed RGB kernels: one mean and deviation, the average of the three.
        return Normalize(mean: [mean.reduce(0, +) / 3], std: [std.reduce(0, +) / 3])
    }
}
