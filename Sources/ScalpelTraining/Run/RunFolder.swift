// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A training run's folder:
///
/// ```
/// RUN/
///   config.yaml          the resolved configuration (written by the command)
///   log.txt              one line per event, appended
///   metrics.json         status, per-epoch history, best epoch, test metrics with 95 % CIs
///   predictions.csv      one row per test sample: id, true label, one probability per class
///   checkpoints/last.safetensors   model, optimizer, random state and trainer state after the last complete epoch
///   checkpoints/best.safetensors   model weights of the best validation epoch
///   tensorboard/         TensorBoard event files: per-epoch scalars (`tensorboard --logdir RUN`)
/// ```
///
/// Every file is written to a temporary name and renamed into place, so a run killed at any moment
/// leaves either the old or the new version, never a torn one.
public struct RunFolder: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url.standardizedFileURL }

    public var configURL: URL { url.appendingPathComponent("config.yaml") }
    public var logURL: URL { url.appendingPathComponent("log.txt") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.json") }
    public var predictionsURL: URL { url.appendingPathComponent("predictions.csv") }
    public var checkpointsURL: URL { url.appendingPathComponent("checkpoints") }
    public var lastCheckpointURL: URL { checkpointsURL.appendingPathComponent("last.safetensors") }
    public var bestCheckpointURL: URL { checkpointsURL.appendingPathComponent("best.safetensors") }
    public var tensorboardURL: URL { url.appendingPathComponent("tensorboard") }

    /// Whether `metrics.json` says the run finished.
    public var isFinished: Bool {
        guard let data = try? Data(contentsOf: metricsURL),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["status"] as? String == "finished"
    }

    /// Whether the folder holds anything of a run (a configuration, a checkpoint or metrics).
    public var holdsRun: Bool {
        [configURL, metricsURL, lastCheckpointURL, logURL].contains { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Prepares the folder for a run.
    ///
    /// - A finished run is never overwritten unless `force`.
    /// - An unfinished run continues with `resume`, or starts over with `force`; otherwise it is an error
    ///   saying which flag to pass.
    /// - `resume` on an empty or missing folder starts a new run (so the same command serves to start a
    ///   run and to continue it after a crash).
    public static func prepare(_ url: URL, resume: Bool, force: Bool) throws -> RunFolder {
        let folder = RunFolder(url)
        let path = folder.url.path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue {
            throw TrainingError.runFolder("\(path) is a file, not a run folder; choose another --output")
        }
        if resume, exists, folder.holdsRun {
            if folder.isFinished, !force {
                throw TrainingError.runFolder("the run in \(path) has already finished; pass --force to train it again from the start, or choose another --output")
            }
            return folder
        }
        if exists, folder.holdsRun {
            guard force else {
                if folder.isFinished {
                    throw TrainingError.runFolder("\(path) holds a finished run (metrics.json); choose another --output, or pass --force to overwrite it")
                }
                throw TrainingError.runFolder("\(path) holds an unfinished run; pass --resume to continue it from its last complete epoch, or --force to start over")
            }
            for item in [folder.configURL, folder.logURL, folder.metricsURL, folder.predictionsURL, folder.checkpointsURL,
                         folder.tensorboardURL]
            where FileManager.default.fileExists(atPath: item.path) {
                try FileManager.default.removeItem(at: item)
            }
        }
        try folder.createDirectories()
        return folder
    }

    func createDirectories() throws {
        try Self.createFolder(checkpointsURL, purpose: "the run folder \(url.path)")
    }

    /// Creates `folder` and its parents, with an error that names the cause: a parent that is a file (not
    /// Foundation's "NSCocoaErrorDomain error 512"), or the system's reason (permission, disk full).
    ///
    /// - Throws: ``TrainingError/runFolder(_:)`` naming `purpose` and the fix.
    public static func createFolder(_ folder: URL, purpose: String) throws {
        var ancestor = folder.standardizedFileURL
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder), ancestor.path != "/" {
            ancestor.deleteLastPathComponent()
        }
        guard isFolder.boolValue else {
            throw TrainingError.runFolder("cannot create \(purpose): \(ancestor.path) is a file, not a folder; choose an output path that is not under a file")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            let reason = systemReason(error)
            throw TrainingError.runFolder("cannot create \(purpose) at \(folder.path): \(reason); check the path, its permissions and the free disk space")
        }
    }

    /// Writes `data` to `destination` through a temporary file in the same folder, flushed to disk and
    /// renamed into place.
    public static func writeAtomically(_ data: Data, to destination: URL) throws {
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).tmp-\(getpid())")
        if let failure = writeAndSync(data, to: temporary.path) {
            unlink(temporary.path)
            let kept = FileManager.default.fileExists(atPath: destination.path) ? "; the previous \(destination.lastPathComponent) is unchanged" : ""
            throw TrainingError.runFolder("cannot write \(destination.path): \(failure)\(kept); free some disk space (or fix the folder's permissions) and run again (a training run continues with --resume)")
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw TrainingError.runFolder("cannot move \(temporary.lastPathComponent) into place as \(destination.path): \(reason)")
        }
    }

    /// Writes `data` to a new file at `path` and flushes it to disk; nil on success, else the system's reason
    /// (e.g. "No space left on device").
    private static func writeAndSync(_ data: Data, to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        var failure: String?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        return failure
    }

    /// The system's reason behind a Foundation file error (e.g. "No space left on device"), else its description.
    public static func systemReason(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }

    /// Appends one line, stamped with the UTC time, to `log.txt`.
    public func log(_ line: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        let text = Data("\(stamp) \(line)\n".utf8)
        if let handle = try? FileHandle(forWritingTo: logURL) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: text)
            try? handle.close()
        } else {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: text)
        }
    }
}
