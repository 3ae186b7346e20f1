// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelTraining
import Torch

/// `--precision` and the data-parallel options of `scalpel train`.
struct ScaleOptions: ParsableArguments {
    @Option(help: "Arithmetic of the forward pass: fp32, bf16 (autocast; CPUs with AVX512-BF16/AMX and GPUs) or fp16 (autocast with loss scaling; CUDA only). Weights and optimizer state stay fp32.")
    var precision: String = "fp32"

    @Option(help: "Train data-parallel in this many processes on this host (each gets a share of every batch; gradients are averaged with c10d/Gloo).")
    var nproc: Int = 1

    @Option(help: "This process's rank in a multi-host run (else RANK or SLURM_PROCID).")
    var rank: Int?

    @Option(help: "Processes in a multi-host run (else WORLD_SIZE or SLURM_NTASKS).")
    var worldSize: Int?

    @Option(help: "HOST:PORT where rank 0 serves the rendezvous (else MASTER_ADDR/MASTER_PORT, or Slurm's first node).")
    var rendezvous: String?

    @Option(help: "Seconds to wait for the other processes, at the rendezvous and in every exchange.")
    var rendezvousTimeout: Double = 300

    func validate() throws {
        _ = try parsedPrecision()
        guard (1...64).contains(nproc) else { throw ValidationError("--nproc must be in 1...64, got \(nproc).") }
        guard rendezvousTimeout > 0, rendezvousTimeout <= 86_400 else {
            throw ValidationError("--rendezvous-timeout must be in (0, 86400] seconds, got \(rendezvousTimeout).")
        }
        if nproc > 1, rank != nil || worldSize != nil {
            throw ValidationError("--nproc starts every process on this host; do not combine it with --rank/--world-size.")
        }
    }

    func parsedPrecision() throws -> Precision {
        do {
            return try Precision(parsing: precision)
        } catch let error as TorchError {
            throw ValidationError("--precision: \(error.message)")
        }
    }

    /// This process's place in a data-parallel run, or nil for a single-process run.
    func resolvedRendezvous(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Rendezvous? {
        try Rendezvous.resolve(rank: rank, worldSize: worldSize, address: rendezvous, environment: environment)
    }
}

/// How a training session runs: its precision and, in a data-parallel run, its process group.
struct ScaleContext {
    var precision: Precision = .fp32
    var group: ProcessGroup?

    /// Whether this process writes the run folder (rank 0 or a single process).
    var isLeader: Bool { (group?.rank ?? 0) == 0 }

    /// Joins the process group the options or the environment describe (none: a single process).
    static func join(_ options: ScaleOptions, reporter: ProgressReporter) throws -> ScaleContext {
        var context = ScaleContext(precision: try options.parsedPrecision())
        if let rendezvous = try options.resolvedRendezvous(), rendezvous.worldSize > 1 {
            reporter.note("rank \(rendezvous.rank) of \(rendezvous.worldSize): rendezvous at \(rendezvous.host):\(rendezvous.port)")
            context.group = try ProcessGroup(host: rendezvous.host, port: rendezvous.port, rank: rendezvous.rank,
                                             worldSize: rendezvous.worldSize, timeoutSeconds: options.rendezvousTimeout,
                                             tag: "scalpel \(ScalpelVersion.current)")
        }
        return context
    }
}
