// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0

/// How an architecture's pretrained weights expect to be used: the evaluation preprocessing they were
/// trained with, the state-dict keys a transfer-learning strategy replaces or adapts, and the batch
/// norm settings of the family.
///
/// Preprocessing of a 0–255 image: resize the shorter side to ``resizeSize`` with ``interpolation``,
/// centre-crop ``cropSize``, then per channel `x = (pixel / 255 · scale − mean) / std`. torchvision's
/// weights use `scale` 1 (ImageNet mean and std on 0–1 values); EfficientNet-Lite's TensorFlow weights
/// use `scale` 255 with mean 127 and std 128, i.e. exactly `(pixel − 127) / 128`.
public struct PretrainedConfig: Sendable, Equatable {
    public enum Interpolation: String, Sendable, Codable {
        case bilinear, bicubic
    }

    /// The input side the network was trained at (the crop size).
    public var inputSize: Int
    /// The shorter side after resizing, before the centre crop.
    public var resizeSize: Int
    public var cropSize: Int
    /// Per-channel (RGB) mean, in units of ``scale``.
    public var mean: [Double]
    /// Per-channel (RGB) standard deviation, in units of ``scale``.
    public var std: [Double]
    /// What a full-intensity pixel is worth before normalising: 1 (torchvision) or 255 (TF Lite).
    public var scale: Double
    public var interpolation: Interpolation
    /// Key prefix of the first convolution (`<key>.weight`), e.g. for adapting it to grey-scale input.
    public var firstConvKey: String
    /// Key prefixes of the classifier Linear layers a new task replaces (`<key>.weight`, `<key>.bias`).
    public var classifierKeys: [String]
    /// The family's batch norm `eps` and `momentum` (PyTorch's convention); PyTorch's defaults for
    /// VGG without batch norm, where they are unused.
    public var batchNormEps: Double
    public var batchNormMomentum: Double

    public init(inputSize: Int, resizeSize: Int, cropSize: Int, mean: [Double], std: [Double], scale: Double = 1,
                interpolation: Interpolation, firstConvKey: String, classifierKeys: [String],
                batchNormEps: Double = 1e-5, batchNormMomentum: Double = 0.1) {
        self.inputSize = inputSize
        self.resizeSize = resizeSize
        self.cropSize = cropSize
        self.mean = mean
        self.std = std
        self.scale = scale
        self.interpolation = interpolation
        self.firstConvKey = firstConvKey
        self.classifierKeys = classifierKeys
        self.batchNormEps = batchNormEps
        self.batchNormMomentum = batchNormMomentum
    }

    /// The normalised value of one channel of a 0–255 pixel.
    public func normalize(pixel: Double, channel: Int) -> Double {
        (pixel / 255 * scale - mean[channel]) / std[channel]
    }

    public static let imagenetMean = [0.485, 0.456, 0.406]
    public static let imagenetStd = [0.229, 0.224, 0.225]

    /// A torchvision weight's preprocessing (`weights.transforms()`): ImageNet mean and std.
    static func torchvision(crop: Int, resize: Int, _ interpolation: Interpolation, firstConv: String,
                            classifier: [String], eps: Double = 1e-5, momentum: Double = 0.1) -> PretrainedConfig {
        PretrainedConfig(inputSize: crop, resizeSize: resize, cropSize: crop, mean: imagenetMean, std: imagenetStd,
                         interpolation: interpolation, firstConvKey: firstConv, classifierKeys: classifier,
                         batchNormEps: eps, batchNormMomentum: momentum)
    }

    /// MedMNIST v2's training pipeline for its "(28)" ResNets (`ToTensor` + `Normalize(mean=.5, std=.5)`
    /// on the 28×28 images, no resizing): input 28, mean and std 0.5.
    static let medMNIST = PretrainedConfig(
        inputSize: 28, resizeSize: 28, cropSize: 28, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
        interpolation: .bilinear, firstConvKey: "conv1", classifierKeys: ["fc"])

    /// TensorFlow EfficientNet-Lite evaluation: bicubic resize to size + 32, centre crop `size`,
    /// `(pixel − 127) / 128`.
    static func lite(_ size: Int) -> PretrainedConfig {
        PretrainedConfig(inputSize: size, resizeSize: size + 32, cropSize: size, mean: [127, 127, 127],
                         std: [128, 128, 128], scale: 255, interpolation: .bicubic, firstConvKey: "_conv_stem",
                         classifierKeys: ["_fc"], batchNormEps: 1e-3, batchNormMomentum: 0.01)
    }
}

extension Architecture {
    /// The preprocessing and keys of this architecture's pretrained weights: torchvision's
    /// `IMAGENET1K_V1` transforms, TensorFlow's EfficientNet-Lite evaluation pipeline for Lite, and
    /// MedMNIST v2's 28×28 protocol for the small-input ResNets (which have no pretrained weights).
    public var pretrainedConfig: PretrainedConfig {
        switch self {
        case .resnet18, .resnet34, .resnet50, .resnet101, .resnet152:
            .torchvision(crop: 224, resize: 256, .bilinear, firstConv: "conv1", classifier: ["fc"])
        case .resnet18Small, .resnet50Small:
            .medMNIST
        case .densenet121, .densenet161, .densenet169, .densenet201:
            .torchvision(crop: 224, resize: 256, .bilinear, firstConv: "features.conv0", classifier: ["classifier"])
        case .vgg11, .vgg11BN, .vgg13, .vgg13BN, .vgg16, .vgg16BN, .vgg19, .vgg19BN:
            .torchvision(crop: 224, resize: 256, .bilinear, firstConv: "features.0", classifier: ["classifier.6"])
        case .inceptionV3:
            .torchvision(crop: 299, resize: 342, .bilinear, firstConv: "Conv2d_1a_3x3.conv",
                         classifier: ["fc", "AuxLogits.fc"], eps: 1e-3)
        case .efficientnetB0:
            .torchvision(crop: 224, resize: 256, .bicubic, firstConv: "features.0.0", classifier: ["classifier.1"])
        case .efficientnetB1:
            .torchvision(crop: 240, resize: 256, .bicubic, firstConv: "features.0.0", classifier: ["classifier.1"])
        case .efficientnetB2:
            .torchvision(crop: 288, resize: 288, .bicubic, firstConv: "features.0.0", classifier: ["classifier.1"])
        case .efficientnetB3:
            .torchvision(crop: 300, resize: 320, .bicubic, firstConv: "features.0.0", classifier: ["classifier.1"])
        case .mobilenetV2:
            .torchvision(crop: 224, resize: 256, .bilinear, firstConv: "features.0.0", classifier: ["classifier.1"])
        case .mobilenetV3Large:
            .torchvision(crop: 224, resize: 256, .bilinear, firstConv: "features.0.0", classifier: ["classifier.3"],
                         eps: 1e-3, momentum: 0.01)
        case .efficientnetLite0: .lite(224)
        case .efficientnetLite1: .lite(240)
        case .efficientnetLite2: .lite(260)
        }
    }
}
