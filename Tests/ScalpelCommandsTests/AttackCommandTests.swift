// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import Testing
@testable import ScalpelCommands

/// `scalpel attack uap` end to end on a tiny synthetic run: bad input before work, stop and resume,
/// result files, a finished attack never overwritten, the run folder untouched.
@Suite(.serialized)
struct AttackCommandTests {
    @Test func uapOfARunStopsResumesAndRejectsBadInput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-attack-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        try TrainCommand.parse(["--data", "synthetic:48", "--model", "mobilenet_v3_large", "--weights", "none", "--image-size", "32",
                                "--epochs", "1", "--batch-size", "16", "--bootstrap", "0", "--quiet", "--output", run.path]).run()
        let runFiles = try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()
        let output = folder.appendingPathComponent("uap")
        let common = [run.path, "--source", "train", "--chunk", "16", "--random-draws", "2", "--output", output.path]

        #expect(throws: CommandError.self) { try AttackUAPCommand.parse(common + ["--target", "7"]).run() }
        #expect(throws: (any Error).self) { try AttackUAPCommand.parse(common + ["--zeta", "0"]) }
        #expect(throws: (any Error).self) { try AttackUAPCommand.parse(common + ["--zeta", "3"]) }
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("not an image".utf8).write(to: empty.appendingPathComponent("a.png"))
        do {
            try AttackUAPCommand.parse([run.path, "--source", empty.path, "--output", output.path]).run()
            Issue.record("a folder without readable images must be rejected")
        } catch let error as CommandError {
            #expect(error.description.contains("a.png"))
        }
        #expect(!FileManager.default.fileExists(atPath: output.path), "a rejected attack wrote \(output.path)")

        try AttackUAPCommand.parse(common + ["--max-chunks", "1"]).run()
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == [UAPRunner.progressFile])
        try AttackUAPCommand.parse(common).run()
        let result = try JSONDecoder().decode(UAPResult.self, from: Data(contentsOf: output.appendingPathComponent("results.json")))
        #expect(result.imagesSeen > 0 && result.random.draws == 2)
        #expect(result.perturbationL2 <= result.radius * (1 + 1e-5))
        for file in ["uap.safetensors", "uap.npy", "results.csv", "results.md", "curve.csv", "confusion.csv", "triptych.png", "uap-amplified.png"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "missing \(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(UAPRunner.progressFile).path))
        #expect(throws: AttackError.self) { try AttackUAPCommand.parse(common).run() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted() == runFiles, "the run folder is untouched")
    }
}
