// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelData
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// `scalpel explain` end to end on a quick TruncatedTL run (resnet18_28 cut after layer3): overlays,
/// a grid per class, the CSV and summary, and each bad input refused with a message that names it,
/// leaving no output behind.
@Suite(.serialized)
struct GradCAMCommandTests {
    @Test func explainWritesOverlaysGridsAndChecks() throws {
        let folder = TrainCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = TrainCommandTests.arguments(output: folder.appendingPathComponent("run"), epochs: 1)
        arguments[arguments.firstIndex(of: "efficientnet_lite0")!] = "resnet18_28"
        try TrainCommand.parse(arguments + ["--strategy", "truncated", "--strategy-params", "cut=layer3"]).run()
        let run = folder.appendingPathComponent("run")

        let output = folder.appendingPathComponent("maps")
        try ExplainCommand.parse([run.path, "--method", "gradcam++", "--cut", "layer3", "--split", "test", "--count", "5",
                                  "--steps", "4", "--output", output.path]).run()
        let overlays = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("overlays").path)
        #expect(overlays.count == 5 && overlays.allSatisfy { $0.hasSuffix(".png") })
        let first = try ImageDecoder.decode(contentsOf: output.appendingPathComponent("overlays/" + overlays.sorted()[0]))
        #expect(first.width == 28 && first.height == 28 && first.channels == 3)
        let grids = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasPrefix("grid-") }
        #expect(!grids.isEmpty)
        let rows = try String(contentsOf: output.appendingPathComponent("explanations.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 6)
        #expect(rows[0] == "id,explained_class,predicted_class,probability,deletion_auc,insertion_auc,randomisation_spearman")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect(summary?["method"] as? String == "gradcam++" && summary?["cut"] as? String == "layer3" && summary?["images"] as? Int == 5)
        #expect(summary?["mean_deletion_auc"] is Double)
        // scalpel report reads explain's folder back: the grids embedded, the mean deletion area shown.
        let page = folder.appendingPathComponent("maps.html")
        try ReportCommand.parse([output.path, "--output", page.path]).run()
        let html = try String(contentsOf: page, encoding: .utf8)
        let deletion = try #require(summary?["mean_deletion_auc"] as? Double)
        #expect(html.contains(#"data-metric="explain-deletion">\#(String(format: "%.4f", deletion))<"#))
        #expect(html.contains(#"data-plot="explain-grid-0""#) && html.contains("data:image/png;base64,"))

        func refusal(_ extra: [String]) -> String {
            do {
                var command = try ExplainCommand.parse([run.path] + extra)
                try command.validate()
                try command.run()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let target = folder.appendingPathComponent("refused").path
        #expect(refusal(["--cut", "layer4", "--split", "test", "--output", target]).contains("Block cut points: stem, layer1, layer2, layer3."))
        #expect(refusal(["--class", "5", "--split", "test", "--output", target]).contains("0 clear, 1 opacity"))
        #expect(refusal(["--class", "cat", "--split", "test", "--output", target]).contains("no such class"))
        #expect(refusal(["--split", "test", "--output", output.path]).contains("exists already"))
        let rgb = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ScalpelDataTests/Fixtures/rgb8.png").standardizedFileURL
        #expect(refusal(["--images", rgb.path, "--output", target]).contains("a colour image"))
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(throws: (any Error).self) { try ExplainCommand.parse([run.path, "--method", "scorecam", "--split", "test"]) }
        #expect(throws: (any Error).self) { try ExplainCommand.parse([run.path]) }   // neither --images nor --split

        try FileManager.default.removeItem(at: run.appendingPathComponent("metrics.json"))
        #expect(refusal(["--split", "test", "--output", target]).contains("unfinished run"))
    }
}
