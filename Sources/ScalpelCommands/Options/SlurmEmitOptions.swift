// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments

/// `scalpel sweep FILE --emit slurm …`: write (and optionally submit) the sweep as a Slurm job array.
/// Each Slurm flag overrides the field of the same name in the sweep file's `slurm:` mapping.
struct SlurmEmitOptions: ParsableArguments {
    @Option(help: "Instead of training here, write the sweep as a batch script for a scheduler: slurm (a job array, one task per run).")
    var emit: String?

    @Option(name: .customLong("output"), help: "Folder for the batch script, the task specifications and the logs (default: the sweep's output/slurm).")
    var folder: String?

    @Flag(help: "Submit the written script with sbatch.")
    var submit = false

    @Option(help: "Slurm partition(s).") var partition: String?
    @Option(help: "Time limit of each array task (minutes, H:M:S or D-H:M:S).") var time: String?
    @Option(help: "CPUs of each array task (default: threads-per-run, else 1).") var cpusPerTask: Int?
    @Option(help: "Memory of each array task, e.g. 16G.") var mem: String?
    @Option(help: "Generic resources of each array task, e.g. gpu:1.") var gres: String?
    @Option(help: "Seconds before the time limit at which a task stops its run and requeues itself (default 120).") var signalSeconds: Int?
    @Option(help: "Array tasks running at once (default: the sweep's concurrency).") var maxRunning: Int?
    @Option(help: "Processes of each run (> 1: data-parallel, launched with srun).") var processesPerRun: Int?
    @Option(help: "Nodes of each run (with --processes-per-run).") var nodes: Int?
    @Option(help: "Slurm account.") var account: String?
    @Option(help: "Slurm quality of service.") var qos: String?

    func validate() throws {
        if let emit, emit != "slurm" {
            throw ValidationError("--emit: '\(emit)' is not a scheduler Scalpel writes for; use --emit slurm")
        }
        if emit == nil, submit || folder != nil || !flagValues.isEmpty {
            throw ValidationError("--submit, --output and the Slurm options (\(flagValues.map { "--" + $0.name }.joined(separator: ", "))) need --emit slurm")
        }
    }

    /// The Slurm flags given, by their sweep-file names.
    var flagValues: [(name: String, value: String)] {
        let values: [(String, String?)] = [
            ("partition", partition), ("time", time), ("cpus-per-task", cpusPerTask.map(String.init)), ("mem", mem),
            ("gres", gres), ("signal-seconds", signalSeconds.map(String.init)), ("max-running", maxRunning.map(String.init)),
            ("processes-per-run", processesPerRun.map(String.init)), ("nodes", nodes.map(String.init)),
            ("account", account), ("qos", qos),
        ]
        return values.compactMap { name, value in value.map { (name, $0) } }
    }

    /// The sweep file's `slurm:` options with the flags applied.
    func options(over base: SlurmOptions) throws -> SlurmOptions {
        var options = base
        for (name, value) in flagValues { try options.set(name, to: value, place: "--\(name)") }
        return options
    }
}
