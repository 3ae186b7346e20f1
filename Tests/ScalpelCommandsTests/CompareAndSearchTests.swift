// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelModels
import ScalpelTraining
import Testing
@testable import ScalpelCommands

/// `scalpel compare` and `scalpel search` on a small generated set with MedMNIST's small ResNet.
@Suite(.serialized)
struct CompareAndSearchTests {
    static let quick = ["--data", "synthetic:72", "--model", "resnet18_28", "--weights", "none", "--epochs", "1",
                        "--batch-size", "16", "--bootstrap", "0", "--quiet"]

    @Test func strategyListsParseWithParameters() throws {
        let entries = try StrategyEntry.parse("full; truncated:cut=layer3, lwft:k=2,decay=10")
        #expect(entries == [StrategyEntry(name: "full", parameters: ""), StrategyEntry(name: "truncated", parameters: "cut=layer3"),
                            StrategyEntry(name: "lwft", parameters: "k=2,decay=10")])
        #expect(entries[1].folderName == "truncated_cut_layer3")
        #expect(throws: CommandError.self) { try StrategyEntry.parse("full; nonsense") }
        #expect(throws: CommandError.self) { try StrategyEntry.parse("block-wise:k=0") }
    }

    @Test func compareWritesTheTableInThreeFormats() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try CompareCommand.parse(Self.quick + ["--strategies", "full; truncated:cut=layer2; linear-probe", "--seeds", "0,1",
                                               "--latency-repeats", "2", "--report-every", "4", "--output", folder.path]).run()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("compare.json"))) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["strategy"] as? String } == ["full", "truncated:cut=layer2", "linear-probe"])
        #expect(rows.allSatisfy { $0["seeds"] as? Int == 2 && ($0["auroc"] as? [String: Double])?["std"] != nil })
        let full = try #require(rows[0]["parameters"] as? Int), truncated = try #require(rows[1]["parameters"] as? Int)
        #expect(truncated < full)
        // Everything trains in full and truncated; a linear probe trains only the new 512 → 2 layer.
        #expect(rows.map { $0["trainable_parameters"] as? Int } == [full, truncated, 512 * 2 + 2])
        #expect(rows.allSatisfy { ($0["training_seconds"] as? Double ?? 0) > 0 })
        let markdown = try String(contentsOf: folder.appendingPathComponent("compare.md"), encoding: .utf8)
        #expect(markdown.contains("| strategy | AUROC | AUPRC | P (M) | MACs (G) | T (ms) | trained P (M) | train (s) | seeds |"))
        let csv = try String(contentsOf: folder.appendingPathComponent("compare.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4)
        #expect(csv[0].hasSuffix("trainable_parameters,training_seconds,seeds"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("truncated_cut_layer2/seed-1/metrics.json").path))
        // --report-every: each trained run's live page, ending as its finished report.
        for run in ["full/seed-0", "truncated_cut_layer2/seed-0", "linear-probe/seed-1"] {
            let live = try String(contentsOf: folder.appendingPathComponent(run + "/report.html"), encoding: .utf8)
            #expect(live.contains(#"data-plot="roc""#) && !live.contains("Training in progress"), "\(run)/report.html")
        }
        // scalpel report reads the comparison back: every row's numbers, the six runs and their one dataset.
        let page = folder.appendingPathComponent("report.html")
        try ReportCommand.parse([folder.path, "--output", page.path]).run()
        let html = try String(contentsOf: page, encoding: .utf8)
        let auroc = try #require((rows[1]["auroc"] as? [String: Double])?["mean"])
        #expect(html.contains(#"data-strategy="truncated:cut=layer2" data-metric="auroc" data-part="mean">\#(String(format: "%.4f", auroc))<"#))
        #expect(html.contains("<dt>runs found</dt><dd>6</dd>") && html.contains(#"data-plot="auroc-parameters""#))
        #expect(!html.contains("not recorded"), "the runs' config.yaml name their dataset")
    }

    @Test func compareChecksEveryStrategyBeforeTraining() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: CommandError.self) {
            try CompareCommand.parse(Self.quick + ["--strategies", "full; truncated:cut=layer9", "--output", folder.path]).run()
        }
        #expect(error?.description.contains("layer9") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("full").path))   // nothing trained
    }

    @Test func compareFindsALaterStrategysMissingWeightsBeforeTraining() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // scratch needs no weights and comes first; full needs the missing file.
        var arguments = Self.quick
        arguments[arguments.firstIndex(of: "none")!] = folder.appendingPathComponent("missing/weights.pth").path
        let error = #expect(throws: CommandError.self) {
            try CompareCommand.parse(arguments + ["--strategies", "scratch; full", "--output", folder.path]).run()
        }
        #expect(error?.description.contains("full") == true && error?.description.contains("weights.pth") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("scratch").path))   // nothing trained
    }

    @Test func searchTriesBlocksThenNeighbouringLayers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-search-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SearchCommand.parse(Self.quick + ["--strategy", "truncated", "--output", folder.path]).run()
        struct Report: Decodable {
            struct Candidate: Decodable { var stage: Int; var cut: String; var score: Double? }
            var candidates: [Candidate]
            var best: Candidate?
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: folder.appendingPathComponent("search.json")))
        let stage1 = report.candidates.filter { $0.stage == 1 }.map(\.cut)
        #expect(stage1 == ["stem", "layer1", "layer2", "layer3", "layer4"])
        let best = try #require(report.best)
        #expect(report.candidates.allSatisfy { ($0.score ?? -1) <= best.score! })
        // Stage 2 looks only inside the blocks next to the best block cut.
        let backbone = try Architecture.resnet18Small.makeModel(classCount: 2)
        let winnerOfStage1 = report.candidates.filter { $0.stage == 1 }.max { ($0.score ?? -1) < ($1.score ?? -1) }!
        let expected = SearchCommand.layerCandidates(backbone, around: winnerOfStage1.cut, strategy: "truncated").map(\.name)
        #expect(report.candidates.filter { $0.stage == 2 }.map(\.cut) == expected)
        #expect(!expected.isEmpty)
        // A second search with --resume reads every candidate back instead of training it again.
        let modified = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("stage1-stem/metrics.json").path)[.modificationDate] as? Date
        try SearchCommand.parse(Self.quick + ["--strategy", "truncated", "--output", folder.path, "--resume"]).run()
        let after = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("stage1-stem/metrics.json").path)[.modificationDate] as? Date
        #expect(modified == after)
    }

    @Test func transfusionSearchTriesTheBlocksBelowTheTop() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-search-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SearchCommand.parse(Self.quick + ["--strategy", "transfusion", "--report-every", "4", "--output", folder.path]).run()
        struct Report: Decodable {
            struct Candidate: Decodable { var stage: Int; var cut: String }
            var candidates: [Candidate]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: folder.appendingPathComponent("search.json")))
        // Whole stages are slimmed: every block cut below layer4, and no layer-level second stage.
        #expect(report.candidates.map(\.cut) == ["stem", "layer1", "layer2", "layer3"])
        #expect(report.candidates.allSatisfy { $0.stage == 1 })
        // --report-every: each candidate's run folder holds its finished page.
        for candidate in report.candidates {
            let page = try String(contentsOf: folder.appendingPathComponent("stage1-\(candidate.cut)/report.html"), encoding: .utf8)
            #expect(page.contains(#"data-plot="roc""#) && !page.contains("Training in progress"), "stage1-\(candidate.cut)/report.html")
        }
    }
}
