// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelData
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

/// `scalpel attack compare` on a small comparison, and `attack uap --transfer` between its runs.
@Suite(.serialized)
struct AttackCompareCommandTests {
    @Test func exposureTableOfAComparisonAndTransferBetweenRuns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-attack-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let compare = folder.appendingPathComponent("compare")
        try CompareCommand.parse(CompareAndSearchTests.quick + ["--strategies", "full; linear-probe", "--seeds", "0",
                                                                "--latency-repeats", "1", "--output", compare.path]).run()
        let natural = folder.appendingPathComponent("natural")
        try FileManager.default.createDirectory(at: natural, withIntermediateDirectories: true)
        for index in 0..<6 {
            let pixels = (0..<(40 * 30 * 3)).map { UInt8(($0 * (index + 3) * 7) % 256) }
            try PNGEncoder.encode(pixels, width: 40, height: 30, channels: 3).write(to: natural.appendingPathComponent("photo-\(index).png"))
        }
        let options = [compare.path, "--natural", natural.path, "--zetas", "0.05", "--views", "2", "--chunk", "4",
                       "--random-draws", "2", "--train-limit", "8", "--heldout-limit", "12"]
        #expect(throws: (any Error).self) { try AttackCompareCommand.parse(options + ["--norms", "l3"]) }
        #expect(throws: (any Error).self) { try AttackCompareCommand.parse(options + ["--zetas", "0.04,-1"]) }
        #expect(throws: (any Error).self) { try AttackCompareCommand.parse([folder.path]).run() }   // no compare.json
        #expect(throws: CommandError.self) { try AttackCompareCommand.parse(options + ["--strategies", "full; scratch"]).run() }
        #expect(!FileManager.default.fileExists(atPath: compare.appendingPathComponent("attacks").path))
        try AttackCompareCommand.parse(options + ["--strategies", "full;linear-probe"]).run()
        let attacks = compare.appendingPathComponent("attacks")
        let table = try JSONDecoder().decode(ExposureTable.self, from: Data(contentsOf: attacks.appendingPathComponent("exposure.json")))
        #expect(table.rows.map(\.strategy) == ["full", "linear-probe"])
        #expect(table.rows.allSatisfy { $0.cleanAUROC != nil && $0.cells.count == 4 })
        let matrix = try #require(table.transfers[ExposureTable.key(kind: .natural, norm: .l2, zeta: 0.05)])
        #expect(matrix.targets == ["full", "linear-probe"] && matrix.images == [12, 12])
        let natural12 = try JSONDecoder().decode(UAPResult.self, from: Data(contentsOf: attacks.appendingPathComponent("full/uap-natural-l2-0.05/results.json")))
        #expect(natural12.imagesSeen == 12 && natural12.settings.views == 2, "6 photos × 2 views")
        #expect(matrix.foolingRates[0][0] == natural12.heldout.foolingRate)

        // --transfer on the finished natural UAP of `full`: only the matrix is added.
        let uapFolder = attacks.appendingPathComponent("full/uap-natural-l2-0.05")
        try AttackUAPCommand.parse([compare.appendingPathComponent("full").path, "--source", natural.path, "--zeta", "0.05",
                                    "--heldout-limit", "12", "--output", uapFolder.path,
                                    "--transfer", compare.appendingPathComponent("linear-probe").path]).run()
        let transfer = try JSONDecoder().decode(TransferMatrix.self, from: Data(contentsOf: uapFolder.appendingPathComponent("transfer.json")))
        #expect(transfer.foolingRates == [matrix.foolingRates[0]])
        // A run whose model takes other images is refused before any work.
        let other = folder.appendingPathComponent("other")
        try TrainCommand.parse(["--data", "synthetic:48", "--model", "mobilenet_v3_large", "--weights", "none", "--image-size", "32",
                                "--epochs", "1", "--batch-size", "16", "--bootstrap", "0", "--quiet", "--output", other.path]).run()
        do {
            try AttackUAPCommand.parse([compare.appendingPathComponent("full").path, "--output", uapFolder.path, "--transfer", other.path]).run()
            Issue.record("a run of another input size must be refused")
        } catch let error as CommandError {
            #expect(error.description.contains("same input size"))
        }
    }
}
