// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAnalysis
import ScalpelTraining
import Testing
import Torch
@testable import ScalpelCommands

/// `scalpel analyze similarity` (features and run modes) and `scalpel analyze transferability` end to end.
@Suite(.serialized)
struct AnalyzeCommandTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-analyze-\(UUID().uuidString)")
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func similarityOfTwoFeatureFiles() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let generator = try Generator(seed: 1)
        let x = try Tensor.randn([120, 6], generator: generator, dtype: .float64)
        let y = try x + (try Tensor.randn([120, 6], generator: generator, dtype: .float64))
        let files = ["a", "b", "short", "wide"].map { folder.appendingPathComponent("\($0).safetensors") }
        try SafeTensors.write(try StateDict([("features", x)]), to: files[0])
        try SafeTensors.write(try StateDict([("features", y)]), to: files[1])
        try SafeTensors.write(try StateDict([("features", try x.slice(axis: 0, start: 0, end: 100))]), to: files[2])
        try SafeTensors.write(try StateDict([("features", try Tensor.randn([120, 200], generator: generator))]), to: files[3])
        let output = folder.appendingPathComponent("out")
        try AnalyzeSimilarityCommand.parse(["--features", files[0].path, files[1].path, "--baseline-draws", "2",
                                            "--output", output.path]).run()
        let report = try Self.json(output.appendingPathComponent("similarity.json"))
        let comparison = try #require(report["comparison"] as? [String: Any])
        let scores = try #require(comparison["scores"] as? [String: Any])
        let expected = try SimilarityAccumulator.compare(x, y).linearCKA!
        #expect(abs((scores["linearCKA"] as? Double ?? 0) - expected) < 1e-12)
        let csv = try String(contentsOf: output.appendingPathComponent("similarity.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("measure,value,baseline_mean,baseline_std,area_above_baseline\nlinear-cka,"))

        #expect(throws: SimilarityError.self) {
            try AnalyzeSimilarityCommand.parse(["--features", files[0].path, files[2].path, "--output", output.path]).run()
        }
        do {
            try AnalyzeSimilarityCommand.parse(["--features", files[0].path, files[3].path, "--output", output.path]).run()
            Issue.record("CCA with 120 datapoints for 200 features must fail")
        } catch let error as SimilarityError {
            #expect(error.description.contains("120 datapoints for 200 features") && error.description.contains("CKA"))
        }
        try AnalyzeSimilarityCommand.parse(["--features", files[0].path, files[3].path, "--measures", "linear-cka,rbf-cka",
                                            "--baseline-draws", "0", "--output", output.path]).run()
        #expect(throws: (any Error).self) { try AnalyzeSimilarityCommand.parse(["--features", files[0].path]) }
        #expect(throws: (any Error).self) { try AnalyzeSimilarityCommand.parse(["--features", files[0].path, files[1].path, "--measures", "cosine"]) }
    }

    @Test func similarityGuidedSearchOptions() throws {
        let search = try SearchCommand.parse(["--data", "synthetic", "--strategy", "truncated", "--method", "similarity"])
        #expect(search.method == "similarity")
        #expect(throws: (any Error).self) { try SearchCommand.parse(["--data", "synthetic", "--strategy", "lwft", "--method", "similarity"]) }
        #expect(throws: (any Error).self) { try SearchCommand.parse(["--data", "synthetic", "--strategy", "truncated", "--method", "guess"]) }
    }

    @Test func similarityPerCutPointOfARunAndTransferabilityScores() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        try TrainCommand.parse(["--data", "synthetic:64", "--model", "efficientnet_lite0", "--weights", "none", "--image-size", "28",
                                "--epochs", "1", "--batch-size", "16", "--bootstrap", "0", "--quiet", "--output", run.path]).run()
        let runFiles = try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()
        let output = folder.appendingPathComponent("similarity")
        try AnalyzeSimilarityCommand.parse([run.path, "--cuts", "_blocks.0,_blocks.4", "--measures", "linear-cka,cca,svcca",
                                            "--baseline-draws", "1", "--output", output.path]).run()
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted() == runFiles, "the run folder is untouched")
        let report = try #require(try Self.json(output.appendingPathComponent("similarity.json"))["report"] as? [String: Any])
        let cuts = try #require(report["cuts"] as? [[String: Any]])
        #expect(cuts.map { $0["cut"] as? String } == ["_blocks.0", "_blocks.4"])
        let matrix = try #require((report["blockMatrix"] as? [String: Any])?["linearCKA"] as? [[Double]])
        #expect(matrix.count == 2 && abs(matrix[0][0] - 1) < 1e-12 && matrix[0][1] == matrix[1][0])
        let csv = try String(contentsOf: output.appendingPathComponent("similarity.csv"), encoding: .utf8)
        #expect(csv.contains("\n_blocks.4,linear-cka,"))
        let page = try String(contentsOf: output.appendingPathComponent("similarity.html"), encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("sorted SVCCA coefficients") && page.contains("random baseline"))
        do {
            try AnalyzeSimilarityCommand.parse([run.path, "--cuts", "layer9", "--output", output.path]).run()
            Issue.record("a cut point the model lacks must fail")
        } catch let error as SimilarityError {
            #expect(error.description.contains("layer9") && error.description.contains("_blocks.4"))
        }
        let unfinished = folder.appendingPathComponent("unfinished")
        try FileManager.default.createDirectory(at: unfinished, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: run.appendingPathComponent("config.yaml"), to: unfinished.appendingPathComponent("config.yaml"))
        #expect(throws: CommandError.self) { try AnalyzeSimilarityCommand.parse([unfinished.path, "--output", output.path]).run() }

        let scores = folder.appendingPathComponent("transferability")
        try AnalyzeTransferabilityCommand.parse(["--data", "synthetic:64", "--models", "efficientnet_lite0", "--weights", "none",
                                                 "--cuts", "_blocks.2,_blocks.4", "--output", scores.path]).run()
        let csvScores = try String(contentsOf: scores.appendingPathComponent("transferability.csv"), encoding: .utf8)
        #expect(csvScores.split(separator: "\n").count == 3 && csvScores.contains("efficientnet_lite0,_blocks.4,"))
        #expect(throws: (any Error).self) {
            try AnalyzeTransferabilityCommand.parse(["--data", "synthetic:64", "--weights", "none", "--cuts", "nope",
                                                     "--output", scores.path]).run()
        }
    }
}
