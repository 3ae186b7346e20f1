// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

extension SlurmJobArray {
    /// The packages that provide Slurm's tools on Debian and Ubuntu, named in errors.
    public static let packageHint = "install Slurm's tools (Debian/Ubuntu: apt-get install slurm-wlm munge; scripts/services/slurm sets up a one-machine cluster) or run this on the cluster's login node"

    /// The executable `name` on `PATH`, or nil.
    public static func tool(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> URL? {
        for folder in (path ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Submits `script` with `sbatch --parsable`; returns the array's job id.
    ///
    /// - Throws: ``ExperimentError`` naming the packages when `sbatch` is not on `path`, or with
    ///   sbatch's own message when it refuses the script.
    public static func submit(_ script: URL, path: String? = ProcessInfo.processInfo.environment["PATH"]) throws -> String {
        guard let sbatch = tool("sbatch", path: path) else {
            throw ExperimentError("--submit: sbatch was not found on PATH; \(packageHint). The script is written: sbatch \(script.path) submits it")
        }
        let process = Process()
        process.executableURL = sbatch
        process.arguments = ["--parsable", script.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw ExperimentError("--submit: cannot start \(sbatch.path): \(error.localizedDescription)")
        }
        // sbatch prints a line or two; reading before waiting cannot block on a full pipe.
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile().prefix(4096), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(4096), as: UTF8.self)
        process.waitUntilExit()
        let job = printed.split(separator: "\n").first.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard process.terminationStatus == 0, !job.isEmpty, job.allSatisfy(\.isNumber) else {
            let reason = complaint.trimmingCharacters(in: .whitespacesAndNewlines)
            throw ExperimentError("--submit: sbatch refused \(script.path) (exit status \(process.terminationStatus)): \(reason.isEmpty ? printed : reason)")
        }
        return job
    }

    /// Reads how each Slurm task ended (`OUTPUT/slurm-tasks/task-I`) into the sweep's state: a finished
    /// run folder is finished; a task that ended otherwise is failed, with its exit status and log.
    /// Does nothing when the sweep never ran on Slurm. Returns the updated state.
    @discardableResult
    public static func recordOutcomes(of plan: SweepPlan) throws -> SweepState? {
        let folder = outcomesFolder(in: plan.output)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        var state = try SweepState.read(in: plan.output)
        for name in names.sorted() where name.hasPrefix("task-") && Int(name.dropFirst(5)) != nil {
            let url = folder.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  (attributes[.size] as? Int ?? 0) <= 65536,
                  let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            let fields = text.trimmingCharacters(in: .newlines).split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let status = Int(fields[0]), let attempts = Int(fields[1]),
                  let point = plan.points.first(where: { $0.folder.path == fields[2] }) else { continue }
            var entry = state.entry(folder: point.folder.path)
                ?? SweepState.Entry(name: point.name, folder: point.folder.path, status: .pending, error: nil, attempts: 0)
            entry.attempts = max(entry.attempts, attempts)
            if RunFolder(point.folder).isFinished {
                entry.status = .finished
                entry.error = nil
            } else {
                entry.status = .failed
                entry.error = "Slurm array task \(name.dropFirst(5)) ended with exit status \(status) after \(attempts) attempt(s); log: \(fields[3])"
            }
            state.update(entry)
        }
        try state.write(in: plan.output)
        return state
    }
}
