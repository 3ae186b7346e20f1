// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ScalpelExperiments
import ScalpelModels

extension Augmentation: ExpressibleByArgument {}

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
        do { return try specification.resolvedArchitecture() } catch let error as ExperimentError {
            throw ValidationError(error.description)
        }
    }

    /// The model section of a run specification.
    var specification: ModelSpecification {
        var model = ModelSpecification()
        model.architecture = self.model
        model.weights = weights
        model.imageSize = imageSize
        model.bnMomentum = bnMomentum
        model.augment = augment
        return model
    }
}
