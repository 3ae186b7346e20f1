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
