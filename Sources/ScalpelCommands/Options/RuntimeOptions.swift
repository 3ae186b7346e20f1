// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Torch
import TorchNN

/// `--device`, `--threads`, `--seed`, `--no-fuse`: where and how libtorch runs.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Device to run on: cpu, cuda or cuda:N.")
    var device: String = "cpu"

    @Option(help: "Intra-op threads for libtorch (default: the number of cores).")
    var threads: Int?

    @Option(help: "Random seed; the same seed on the same machine gives the same results.")
    var seed: UInt64 = 0

    @Flag(name: .customLong("no-fuse"),
          help: "Run eval-mode work (predict, evaluate, caching, analyses) module by module, without folding batch norms into fused convolutions (for debugging).")
    var noFuse = false

    func validate() throws {
        _ = try parsedDevice()
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads).")
        }
    }

    func parsedDevice() throws -> Device {
        do {
            return try Device(parsing: device)
        } catch let error as TorchError {
            throw ValidationError("--device: \(error.message)")
        }
    }

    /// Applies the process-wide settings and returns the validated device.
    func configure() throws -> Device {
        let device = try parsedDevice()
        try device.validate()
        try TorchRuntime.configure(seed: seed, threads: threads)
        InferenceFusion.isEnabled = !noFuse
        return device
    }
}

/// `0,1,2` → [0, 1, 2]; anything else is a validation error naming --seeds.
func parseSeeds(_ text: String) throws -> [UInt64] {
    let values = text.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.count <= 10_000, values.allSatisfy({ $0 != nil }) else {
        throw ValidationError("--seeds: expected comma-separated non-negative integers, got '\(text)'.")
    }
    let seeds = values.map { $0! }
    var seen: Set<UInt64> = []
    if let repeated = seeds.first(where: { !seen.insert($0).inserted }) {
        throw ValidationError("--seeds: seed \(repeated) is given twice in '\(text)'; each seed must be distinct (a repeated seed would count one run twice in the mean and spread).")
    }
    return seeds
}
