// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData

/// What a report shows of a universal adversarial perturbation's folder (ScalpelAttacks' UAP runner):
/// `results.json` (fooling rates on held-out images, the random controls, the search curve, the
/// clean → perturbed confusion) and `uap-amplified.png` (the perturbation scaled for viewing; `uap-amplified.npy`
/// in folders of older versions). Decoded
/// with its own tolerant types: only the fields shown.
public struct UAPRecord: Sendable {
    public struct Settings: Sendable, Decodable {
        public var norm: String?
        public var zeta: Double?
        public var targetClass: Int?
        public var randomDraws: Int?
        public var source: String?
    }

    public struct Evaluation: Sendable, Decodable {
        public var images: Int
        public var foolingRate: Double
        public var targetedSuccessRate: Double?
        public var confusion: [[Int]]
        public var foolingRateByCleanClass: [Double?]?
    }

    public struct Random: Sendable, Decodable {
        public var draws: Int
        public var foolingRates: [Double]
    }

    public struct CurvePoint: Sendable, Decodable {
        public var imagesSeen: Int
        public var foolingRate: Double
        public var sourceFoolingRate: Double?
    }

    struct File: Decodable {
        var settings: Settings?
        var radius: Double?
        var perturbationL2: Double?
        var perturbationLinf: Double?
        var heldout: Evaluation
        var random: Random?
        var randomAtUAPNorm: Random?
        var curve: [CurvePoint]?
        var classNames: [String]
    }

    /// The folder's path relative to the report's folder ("" for the folder itself).
    public let name: String
    public let settings: Settings?
    public let radius: Double?
    public let perturbationL2: Double?
    public let perturbationLinf: Double?
    public let heldout: Evaluation
    public let random: Random?
    /// Random perturbations of the UAP's own size ‖v‖, when it is smaller than ξ.
    public let randomAtUAPNorm: Random?
    public let curve: [CurvePoint]
    public let classNames: [String]
    /// The amplified perturbation as an image, when uap-amplified.png (or .npy) is there and readable.
    public let image: PNGImage?
    /// Held-out examples, one row each: clean | perturbation amplified | perturbed (triptych.png), when there.
    public let triptych: PNGImage?

    static let resultsLimit = 16 << 20, imageLimit = 64 << 20

    /// Whether `relative` (in `files`) is a finished UAP folder.
    static func isUAPFolder(_ files: ResultFiles, _ relative: String) -> Bool {
        let prefix = relative.isEmpty ? "" : relative + "/"
        return files.exists(prefix + "results.json") && files.exists(prefix + "uap.safetensors")
    }

    init(files: ResultFiles, relative: String) throws {
        let prefix = relative.isEmpty ? "" : relative + "/"
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let file = try files.decode(File.self, prefix + "results.json", limit: Self.resultsLimit,
                                    what: "the result of a UAP attack", decoder: decoder)
        name = relative
        settings = file.settings
        radius = file.radius
        perturbationL2 = file.perturbationL2
        perturbationLinf = file.perturbationLinf
        heldout = file.heldout
        random = file.random
        randomAtUAPNorm = file.randomAtUAPNorm
        curve = file.curve ?? []
        classNames = file.classNames
        triptych = files.exists(prefix + "triptych.png")
            ? try Self.image(png: files.data(prefix + "triptych.png", limit: Self.imageLimit), source: files.url(prefix + "triptych.png").path)
            : nil
        if files.exists(prefix + "uap-amplified.png") {
            image = try Self.image(png: files.data(prefix + "uap-amplified.png", limit: Self.imageLimit),
                                   source: files.url(prefix + "uap-amplified.png").path)
        } else {
            image = files.exists(prefix + "uap-amplified.npy")
            ? try Self.image(npy: files.data(prefix + "uap-amplified.npy", limit: Self.imageLimit),
                             source: files.url(prefix + "uap-amplified.npy").path) : nil
        }
    }

    /// An 8-bit grey or RGB PNG as an image; nil for any other kind (16-bit, alpha, too large).
    static func image(png data: Data, source: String) throws -> PNGImage? {
        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder.decode(data, source: source)
        } catch {
            throw ReportError("\(source) is not a readable PNG: \(error)")
        }
        guard case .uint8(let pixels) = decoded.samples, decoded.channels == 1 || decoded.channels == 3,
              decoded.width <= 4096, decoded.height <= 4096 else { return nil }
        return try PNGImage(width: decoded.width, height: decoded.height, channels: decoded.channels, pixels: pixels)
    }

    /// A float32 `[H, W, C]` array in [0, 1] (C = 1 or 3) as an 8-bit image; nil for any other layout.
    static func image(npy data: Data, source: String) throws -> PNGImage? {
        let array: NpyArray
        do {
            array = try NpyArray([UInt8](data), source: source)
        } catch {
            throw ReportError("\(source) is not a .npy array: \(error)")
        }
        let shape = array.shape
        guard array.dtype == .float32, shape.count == 3, (1...4096).contains(shape[0]), (1...4096).contains(shape[1]),
              shape[2] == 1 || shape[2] == 3 else { return nil }
        let bytes = array.data
        let pixels = (0..<array.count).map { index -> UInt8 in
            let offset = index * 4
            let bits = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            let value = Float(bitPattern: bits)
            return value.isFinite ? UInt8(max(0, min(255, (value * 255).rounded()))) : 0
        }
        return try PNGImage(width: shape[1], height: shape[0], channels: shape[2], pixels: pixels)
    }
}
