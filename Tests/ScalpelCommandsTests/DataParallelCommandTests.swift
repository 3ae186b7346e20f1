// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining
import Testing
@testable import ScalpelCommands

@Suite(.serialized, .timeLimit(.minutes(5)))
struct DataParallelCommandTests {
    @Test func precisionIsAnOptionAndFP16OnTheCPUIsRefused() throws {
        let folder = TrainCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TrainCommand.parse(TrainCommandTests.arguments(output: folder, epochs: 1) + ["--precision", "bf16"]).run()
        let log = try String(contentsOf: RunFolder(folder).logURL, encoding: .utf8)
        #expect(log.contains("precision bf16"))
        #expect(RunFolder(folder).isFinished)
        let error = #expect(throws: (any Error).self) {
            try TrainCommand.parse(TrainCommandTests.arguments(output: folder, epochs: 1) + ["--precision", "fp16", "--force"]).run()
        }
        #expect("\(error!)".contains("bf16"), "\(error!)")
        #expect(throws: (any Error).self) { try TrainCommand.parse(TrainCommandTests.arguments(output: folder) + ["--precision", "int4"]) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(TrainCommandTests.arguments(output: folder) + ["--nproc", "2", "--rank", "0"]) }
    }

    static func launch(_ scalpel: URL, output: URL, epochs: Int, extra: [String] = []) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = scalpel
        process.arguments = ["train"] + TrainCommandTests.arguments(output: output, epochs: epochs)
            + ["--nproc", "2", "--rendezvous-timeout", "60"] + extra
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        return (process, errors)
    }

    /// The PIDs of `pid`'s children, in the order they were started.
    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }.sorted()
    }

    @Test func twoProcessesTrainAndAKilledRankStopsTheRunWithAClearError() throws {
        guard let scalpel = TrainCommandTests.executable() else {
            print("notice: the scalpel executable was not found beside the tests; run `swift build` first. --nproc test skipped.")
            return
        }
        let folder = TrainCommandTests.temporaryFolder(), killed = TrainCommandTests.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: killed)
        }
        let (whole, _) = try Self.launch(scalpel, output: folder, epochs: 2)
        whole.waitUntilExit()
        #expect(whole.terminationStatus == 0)
        #expect(RunFolder(folder).isFinished)
        let log = try String(contentsOf: RunFolder(folder).logURL, encoding: .utf8)
        #expect(log.components(separatedBy: "finished: test").count == 2, "only rank 0 writes the log")

        // Kill rank 1 once the first epoch is checkpointed: rank 0 must stop with an error, not hang.
        let (victim, errors) = try Self.launch(scalpel, output: killed, epochs: 6)
        let checkpoint = RunFolder(killed).lastCheckpointURL
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path), victim.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let ranks = Self.children(of: victim.processIdentifier)
        try #require(ranks.count == 2, "expected two rank processes, found \(ranks)")
        let killedAt = Date()
        kill(ranks[1], SIGKILL)
        victim.waitUntilExit()
        #expect(Date().timeIntervalSince(killedAt) < 45, "the run must stop well before the 60 s timeout")
        #expect(victim.terminationStatus != 0)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("rank 1 failed"), "\(message)")
        #expect(!RunFolder(killed).isFinished)

        let (resumed, _) = try Self.launch(scalpel, output: killed, epochs: 6, extra: ["--resume"])
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0)
        #expect(RunFolder(killed).isFinished)
        let results = try RunResults(contentsOf: RunFolder(killed).metricsURL)
        #expect(results.history.count == 6)

        // SIGTERM to the launcher reaches the ranks (in their own process groups): they stop together at
        // the end of an epoch and the launcher exits with 143.
        let stopped = TrainCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: stopped) }
        let (launcher, launcherErrors) = try Self.launch(scalpel, output: stopped, epochs: 6)
        while !FileManager.default.fileExists(atPath: RunFolder(stopped).lastCheckpointURL.path), launcher.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(launcher.processIdentifier, SIGTERM)
        launcher.waitUntilExit()
        let stopMessage = String(decoding: launcherErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(launcher.terminationStatus == 143, "\(stopMessage)")
        #expect(stopMessage.contains("ranks stopped at the end of an epoch"), "\(stopMessage)")
        #expect(!RunFolder(stopped).isFinished)
    }
}
