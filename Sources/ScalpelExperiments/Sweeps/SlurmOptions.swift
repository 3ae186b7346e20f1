// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Yams

/// What a sweep's Slurm job array asks the cluster for: the `slurm:` mapping of a sweep file, each
/// field overridable by the `scalpel sweep --emit slurm` flag of the same name.
///
/// ```yaml
/// slurm:
///   partition: gpu
///   time: "2:00:00"          # per array task; near it the task checkpoints and requeues itself
///   cpus-per-task: 4         # default: threads-per-run, else 1
///   mem: 16G
///   gres: "gpu:1"
///   signal-seconds: 300      # USR1 this long before the time limit (default 120)
///   max-running: 8           # array tasks at once (default: the sweep's concurrency)
///   processes-per-run: 2     # > 1: each run is data-parallel, launched with srun
///   nodes: 1                 # nodes per run (with processes-per-run)
///   account: radiology
///   qos: normal
/// ```
///
/// Every value is checked before it is written into the batch script: only the characters Slurm
/// accepts there, so no value can end a line or quote out of its directive.
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    public var time: String?
    public var cpusPerTask: Int?
    public var memory: String?
    public var gres: String?
    public var signalSeconds: Int = 120
    public var maximumRunning: Int?
    public var processesPerRun: Int = 1
    public var nodes: Int?
    public var account: String?
    public var qos: String?

    public static let keys = ["partition", "time", "cpus-per-task", "mem", "gres", "signal-seconds", "max-running",
                              "processes-per-run", "nodes", "account", "qos"]

    public init() {}

    /// The `slurm:` mapping of a sweep file; `source` names the file in errors.
    public init(node: Node, source: String) throws {
        guard let mapping = node.mapping else {
            throw ExperimentError("\(source): 'slurm' must be a mapping of \(Self.keys.joined(separator: ", "))")
        }
        for (key, value) in mapping {
            guard let name = key.string, Self.keys.contains(name) else {
                throw ExperimentError("\(source): 'slurm.\(key.string ?? "?")' is not a Slurm option of a sweep (known: \(Self.keys.joined(separator: ", ")))")
            }
            guard let scalar = value.scalar else { throw ExperimentError("\(source): 'slurm.\(name)' must be one value") }
            try set(name, to: scalar.string, place: "\(source): 'slurm.\(name)'")
        }
    }

    /// Sets the option `name` (a key of ``keys``) from text; `place` names it in errors.
    public mutating func set(_ name: String, to text: String, place: String) throws {
        func count(_ range: ClosedRange<Int>) throws -> Int {
            guard let value = Int(text), range.contains(value) else {
                throw ExperimentError("\(place) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
            }
            return value
        }
        func word(_ pattern: String, _ example: String) throws -> String {
            guard !text.contains(where: \.isNewline), text.utf8.count <= 200,
                  text.range(of: "^\(pattern)$", options: .regularExpression) != nil else {
                throw ExperimentError("\(place): '\(text)' is not a valid value (expected e.g. \(example))")
            }
            return text
        }
        switch name {
        case "partition": partition = try word("[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*", "gpu or cpu,short")
        case "time":
            time = try word("([0-9]+-)?[0-9]+(:[0-9]+){0,2}", "90 (minutes), 2:00:00 or 1-12:00:00")
            if let seconds = timeLimitSeconds, seconds < 60 {
                throw ExperimentError("\(place): '\(text)' is shorter than a minute; Slurm's time limits count whole minutes (e.g. 5 or 0:05:00)")
            }
        case "cpus-per-task": cpusPerTask = try count(1...4096)
        case "mem": memory = try word("[0-9]+[KMGT]?", "16G or 4000M")
        case "gres": gres = try word("[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,2}(,[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,2})*", "gpu:1 or gpu:a100:2")
        case "signal-seconds": signalSeconds = try count(1...65535)
        case "max-running": maximumRunning = try count(1...100_000)
        case "processes-per-run": processesPerRun = try count(1...4096)
        case "nodes": nodes = try count(1...4096)
        case "account": account = try word("[A-Za-z0-9_.-]+", "radiology")
        case "qos": qos = try word("[A-Za-z0-9_.-]+", "normal")
        default: throw ExperimentError("\(place) is not a Slurm option (known: \(Self.keys.joined(separator: ", ")))")
        }
    }

    /// `time` in seconds (Slurm's formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S), nil when unset.
    public var timeLimitSeconds: Int? {
        guard let time else { return nil }
        let dayParts = time.split(separator: "-", maxSplits: 1)
        let days = dayParts.count == 2 ? Int(dayParts[0]) ?? 0 : 0
        let clock = (dayParts.last ?? "").split(separator: ":").map { Int($0) ?? 0 }
        let units: [Int]
        if dayParts.count == 2 {
            units = [3600, 60, 1]               // D-H, D-H:M, D-H:M:S
        } else {
            units = clock.count == 3 ? [3600, 60, 1] : [60, 1]   // M, M:S, H:M:S
        }
        return days * 86_400 + zip(clock, units).map { $0 * $1 }.reduce(0, +)
    }

    /// Checks the options against each other: the signal must come after the task starts, and
    /// several nodes need several processes.
    public func validate() throws {
        if let limit = timeLimitSeconds, signalSeconds >= limit {
            throw ExperimentError("slurm: signal-seconds \(signalSeconds) is not shorter than the time limit '\(time ?? "")' (\(limit) s); the task would be told to stop as it starts. Lower signal-seconds or raise time")
        }
        if let nodes, nodes > processesPerRun {
            throw ExperimentError("slurm: nodes \(nodes) is more than processes-per-run \(processesPerRun); each node needs at least one process of the run")
        }
    }
}
