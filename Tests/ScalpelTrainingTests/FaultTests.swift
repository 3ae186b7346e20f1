// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Synchronization
import Testing
import Torch
import TorchNN
@testable import ScalpelTraining
#if canImport(Glibc)
import Glibc
#endif

/// Faults injected into training (issue 14): a stop request, a diverged loss, a full disk, an allocation
/// failure, and a second writer on a run folder. Each leaves the last complete epoch on disk, and the run
/// resumed from it ends exactly as an uninterrupted one.
@Suite(.serialized)
struct FaultTests {
    /// Trains TinyNet for `epochs` into `folder`; `observe` sees each event with the model.
    static func train(_ folder: URL, epochs: Int = 3, resume: Bool = false, interruption: @escaping () -> Int32? = { nil },
                      observe: @escaping (TrainingEvent, TinyNet) throws -> Void = { _, _ in }) throws -> TrainingResult {
        try TorchRuntime.configure(seed: 7)
        let run = try RunFolder.prepare(folder, resume: resume, force: false)
        let model = try TinyNet(seed: 7)
        let trainer = try Trainer(model: model, splits: TrainerTests.splits(), trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                  evaluationTransform: Normalize(mean: [0.5], std: [0.5]),
                                  configuration: TrainerTests.configuration(epochs: epochs), folder: run)
        trainer.observer = { try observe($0, model) }
        trainer.interruptionRequest = interruption
        return try trainer.run(resume: resume)
    }

    static func checkpointedEpochs(_ folder: URL) throws -> Int {
        try Checkpoint.load(from: RunFolder(folder).lastCheckpointURL).state.completedEpochs
    }

    static func expectSameRun(_ a: TrainingResult, _ b: TrainingResult) {
        #expect(a.history.map(\.trainingLoss) == b.history.map(\.trainingLoss))
        #expect(a.testPredictions.probabilities == b.testPredictions.probabilities)
        #expect(a.test == b.test)
    }

    @Test func aStopRequestEndsAtABatchBoundaryAndTheRunResumesIdentically() throws {
        let whole = TrainerTests.temporaryFolder(), stopped = TrainerTests.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: stopped)
        }
        let reference = try Self.train(whole)
        // SIGTERM arrives during the first batch of epoch 2: the run stops before the next batch.
        let requested = Mutex<Int32?>(nil)
        let error = #expect(throws: TrainingError.self) {
            try Self.train(stopped, interruption: { requested.withLock { $0 } }, observe: { event, _ in
                if case .batchFinished(let epoch, _, let batch, _, _, _, _) = event, epoch == 2, batch == 1 {
                    requested.withLock { $0 = SIGTERM }
                }
            })
        }
        #expect(error?.interruptionSignal == SIGTERM)
        let message = error?.description ?? ""
        #expect(message.contains("interrupted by SIGTERM in epoch 2 before batch 2") && message.contains("--resume"), "\(message)")
        #expect(Interruption.exitStatus(for: SIGTERM) == 143 && Interruption.exitStatus(for: SIGINT) == 130)
        #expect(try Self.checkpointedEpochs(stopped) == 1)
        #expect(!RunFolder(stopped).isFinished)
        #expect(try String(contentsOf: RunFolder(stopped).logURL, encoding: .utf8).contains("interrupted by SIGTERM"))
        Self.expectSameRun(try Self.train(stopped, resume: true), reference)
    }

    @Test func aDivergedRunKeepsItsLastGoodEpochAndResumesFromIt() throws {
        let whole = TrainerTests.temporaryFolder(), diverged = TrainerTests.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: diverged)
        }
        let reference = try Self.train(whole)
        // After epoch 1 is checkpointed the weights turn to NaN, as after a step with an absurd rate.
        let error = #expect(throws: TrainingError.self) {
            try Self.train(diverged, observe: { event, model in
                if case .epochFinished(let record, _) = event, record.epoch == 1 { try model.head.weight.fillInPlace(.nan) }
            })
        }
        let message = error?.description ?? ""
        #expect(message.contains("epoch 2, batch 1") && message.contains("last good epoch (1)")
                && message.contains(RunFolder(diverged).lastCheckpointURL.path) && message.contains("--resume"), "\(message)")
        #expect(try Self.checkpointedEpochs(diverged) == 1)
        // The checkpoint holds epoch 1's good weights: resuming from it ends as the uninterrupted run.
        Self.expectSameRun(try Self.train(diverged, resume: true), reference)
    }

    @Test func aFullDiskIsNamedAndLeavesTheLastCheckpointIntact() throws {
        let mountPoint = TrainerTests.temporaryFolder()
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.path]) else {
            let notice = "cannot mount a 4 MiB tmpfs (needs root and mount permission); disk-full test skipped"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("CI: \(notice)") } else { print("notice: \(notice)") }
            return
        }
        defer { _ = Self.run("/bin/umount", [mountPoint.path]) }
        let whole = TrainerTests.temporaryFolder(), folder = mountPoint.appendingPathComponent("run")
        let filler = mountPoint.appendingPathComponent("filler")
        defer { try? FileManager.default.removeItem(at: whole) }
        let reference = try Self.train(whole)

        // The disk fills up after epoch 1 is checkpointed.
        let error = #expect(throws: TrainingError.self) {
            try Self.train(folder, observe: { event, _ in
                if case .epochFinished(let record, _) = event, record.epoch == 1 { Self.fill(filler) }
            })
        }
        let message = error?.description ?? ""
        #expect(message.contains("No space left on device") && message.contains("--resume"), "\(message)")
        #expect(try Self.checkpointedEpochs(folder) == 1)
        #expect(!RunFolder(folder).isFinished)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: RunFolder(folder).checkpointsURL.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")

        // Space comes back: the run continues to the uninterrupted run's end.
        try FileManager.default.removeItem(at: filler)
        Self.expectSameRun(try Self.train(folder, resume: true), reference)
    }

    /// Writes `file` until the disk is full.
    static func fill(_ file: URL) {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) > 0 {}
    }

    static func run(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    @Test func anAllocationFailureSaysWhatToMakeSmaller() throws {
        // 2⁴⁴ floats (64 TiB): libtorch's allocator refuses; the shim carries c10::OutOfMemoryError across.
        let error = #expect(throws: TorchError.self) { _ = try Tensor.empty([1 << 44]) }
        #expect(error?.kind == .outOfMemory, "\(String(describing: error))")
        let message = TrainingError.outOfMemory(try #require(error), during: "training epoch 3", batchSize: 64).description
        #expect(message.contains("out of memory while training epoch 3 (64.0 TiB asked for)")
                && message.contains("--batch-size (e.g. 32)") && message.contains("--image-size"), "\(message)")
    }

    @Test func anAllocationFailureDuringTrainingNamesTheEpochAndTheBatchSize() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TorchRuntime.configure(seed: 7)
        let trainer = try Trainer(model: try HungryNet(), splits: TrainerTests.splits(), trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                  evaluationTransform: Normalize(mean: [0.5], std: [0.5]),
                                  configuration: TrainerTests.configuration(epochs: 1), folder: try RunFolder.prepare(folder, resume: false, force: false))
        let error = #expect(throws: TrainingError.self) { _ = try trainer.run(resume: false) }
        let message = error?.description ?? ""
        #expect(message.contains("out of memory while training epoch 1 (64.0 TiB asked for)") && message.contains("--batch-size (e.g. 8)"),
                "\(message)")
    }

    @Test func aSecondWriterIsRefusedWithTheHoldersPidAndAStaleLockNeverBlocks() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A lock file left by a process that died (its pid written, no lock held) does not block.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("999999999\n".utf8).write(to: folder.appendingPathComponent(FolderLock.fileName))
        let first = try FolderLock(folder, purpose: "the run folder")
        let error = #expect(throws: TrainingError.self) { _ = try FolderLock(folder, purpose: "the run folder") }
        #expect(error?.description.contains("\(folder.standardizedFileURL.path) is being written by another Scalpel process (pid \(getpid()))") == true,
                "\(String(describing: error))")
        first.release()
        let again = try FolderLock(folder, purpose: "the run folder")
        again.release()
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(FolderLock.fileName).path))
    }
}

/// TinyNet whose forward pass asks libtorch for 64 TiB, as a batch far too large for the machine would.
final class HungryNet: Layer {
    let tiny: TinyNet
    init() throws { tiny = try TinyNet(seed: 7) }
    var namedChildren: [(String, any Module)] { [("tiny", tiny)] }
    func callAsFunction(_ input: Tensor) throws -> Tensor {
        _ = try Tensor.empty([1 << 44])
        return try tiny(input)
    }
}
