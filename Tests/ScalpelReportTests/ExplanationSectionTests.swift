// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelReport

/// The Grad-CAM section, from a folder in the layout `scalpel explain` writes (ScalpelAnalysis'
/// ExplanationJob): summary.json, explanations.csv, grid-CLASS.png and overlays/.
struct ExplanationSectionTests {
    static func writeExplanation(to folder: URL) throws -> Data {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("overlays"), withIntermediateDirectories: true)
        try Data("""
            {
              "architecture" : "resnet18",
              "cut" : "layer4",
              "explained" : "predicted",
              "images" : 3,
              "mean_deletion_auc" : 0.25,
              "mean_insertion_auc" : 0.6,
              "mean_randomisation_spearman" : 0.125,
              "method" : "gradcam++"
            }
            """.utf8).write(to: folder.appendingPathComponent("summary.json"))
        try Data("""
            id,explained_class,predicted_class,probability,deletion_auc,insertion_auc,randomisation_spearman
            "a,1.png",normal,normal,0.900000,0.200000,0.700000,0.100000
            b.png,<script>,<script>,0.800000,0.300000,0.500000,
            c.png,<script>,normal,0.600000,0.250000,0.600000,0.150000

            """.utf8).write(to: folder.appendingPathComponent("explanations.csv"))
        let grid = Data(try PNGImage(width: 6, height: 4, channels: 3, pixels: (0..<72).map { UInt8($0 * 3) }).encoded())
        try grid.write(to: folder.appendingPathComponent("grid-normal.png"))
        try grid.write(to: folder.appendingPathComponent("grid-_script_.png"))
        try grid.write(to: folder.appendingPathComponent("overlays/00000-a_1-normal.png"))
        return grid
    }

    @Test func explanationFolderAndExplanationsInsideARun() throws {
        let run = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: run) }
        try ReportFixtures.run(in: run)
        let folder = run.appendingPathComponent("explanations/gradcam++-layer4-predicted")
        let grid = try Self.writeExplanation(to: folder)

        let record = try ExplanationRecord(files: try ResultFiles(folder), relative: "")
        #expect(record.rows.count == 3 && record.rows[0].id == "a,1.png" && record.rows[1].randomisationCorrelation == nil)
        #expect(record.grids.map(\.className) == ["_script_", "normal"] && record.grids[0].width == 6 && record.grids[0].height == 4)
        let byClass = record.byClass
        #expect(byClass.map(\.className) == ["normal", "<script>"] && byClass.map(\.images) == [1, 2])
        #expect(abs(byClass[1].deletion! - 0.275) < 1e-12 && abs(byClass[1].insertion! - 0.55) < 1e-12 && byClass[1].randomisation == 0.15)

        // The folder on its own.
        let alone = try ReportPage.make(folders: [folder]).html()
        #expect(alone.contains(#"<section id="explain" data-section="explain"><h2>Where the model looks: Grad-CAM++</h2>"#))
        #expect(alone.contains(#"data-metric="explain-deletion">0.2500<"#) && alone.contains(#"data-metric="explain-insertion">0.6000<"#)
                && alone.contains(#"data-metric="explain-randomisation">0.1250<"#))
        #expect(alone.contains("<td>&lt;script&gt;</td><td>2</td><td>0.2750</td><td>0.5500</td><td>0.1500</td>"))
        #expect(alone.contains(#"<img src="data:image/png;base64,\#(grid.base64EncodedString())""#))
        #expect(alone.contains(#"data-plot="explain-grid-0""#) && alone.contains(#"data-plot="explain-grid-1""#))
        #expect(!alone.contains("<script>") && alone.contains("a,1.png"))

        // Inside the run: a section of the run's page.
        let page = try ReportPage.make(folders: [run]).html()
        #expect(page.contains(#"<section id="0-explain""#) && page.contains("explanations/gradcam++-layer4-predicted"))
        #expect(page.contains(#"data-plot="0-explain-grid-1""#))
    }

    @Test func badExplanationFilesAreRefusedWithTheirName() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.writeExplanation(to: folder)
        try Data("not a png".utf8).write(to: folder.appendingPathComponent("grid-normal.png"))
        #expect(throws: ReportError.self) { try ReportPage.make(folders: [folder]) }
        do {
            _ = try ReportPage.make(folders: [folder])
        } catch {
            #expect("\(error)".contains("grid-normal.png is not a PNG image"))
        }
        try Data("x,y\n1,2\n".utf8).write(to: folder.appendingPathComponent("explanations.csv"))
        do {
            _ = try ReportPage.make(folders: [folder])
            Issue.record("a CSV without explain's columns was accepted")
        } catch {
            #expect("\(error)".contains("explanations.csv lacks the columns"))
        }
    }
}
