// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Torch

/// Whether frozen-bottom features are computed once per image and reused.
public enum CacheMode: String, Codable, CaseIterable, Sendable {
    case auto, on, off
}

/// Where and how a run executes, and how it is evaluated (the `runtime:` section of a run
/// specification; each field is the `scalpel train` option of the same name).
public struct RuntimeSpecification: Codable, Equatable, Sendable {
    /// `cpu`, `cuda` or `cuda:N`.
    public var device: String = "cpu"
    /// Intra-op threads for libtorch (nil: the number of cores).
    public var threads: Int?
    /// The run's seed: weights of new layers, batch order, augmentation.
    public var seed: UInt64 = 0
    /// Threads decoding and augmenting images.
    public var workers: Int = 2
    public var cacheFeatures: CacheMode = .auto
    /// Bootstrap resamples for the test metrics' 95 % confidence intervals (0: none).
    public var bootstrap: Int = 1000
    /// The forward pass's arithmetic (`--precision`; weights and optimizer state stay fp32). A
    /// `config.yaml` written before this field existed reads as fp32, which is what those runs used.
    public var precision: Precision = .fp32

    public init() {}

    enum CodingKeys: String, CodingKey {
        case device, threads, seed, workers, cacheFeatures = "cache-features", bootstrap, precision
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        device = try container.decode(String.self, forKey: .device)
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
        seed = try container.decode(UInt64.self, forKey: .seed)
        workers = try container.decode(Int.self, forKey: .workers)
        cacheFeatures = try container.decode(CacheMode.self, forKey: .cacheFeatures)
        bootstrap = try container.decode(Int.self, forKey: .bootstrap)
        precision = try container.decodeIfPresent(Precision.self, forKey: .precision) ?? .fp32
    }

    public func validate() throws {
        if let threads, threads < 1 || threads > 4096 { throw ExperimentError("--threads must be from 1 to 4096, got \(threads).") }
        guard workers >= 1, workers <= 256 else { throw ExperimentError("--workers must be from 1 to 256, got \(workers).") }
        guard bootstrap >= 0, bootstrap <= 1_000_000 else {
            throw ExperimentError("--bootstrap must be from 0 to 1000000, got \(bootstrap).")
        }
        // fp16 on the CPU is refused here, before a sweep or a comparison starts (a device that does not
        // parse is reported where the run starts).
        if let parsed = try? Device(parsing: device) {
            do { try precision.validate(on: parsed) } catch let error as TorchError {
                throw ExperimentError("--precision: \(error.message)")
            }
        }
    }
}
