// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import TorchTestSupport
@testable import ScalpelReport
@testable import ScalpelTraining

/// The pages in a real browser: Debian's headless Chromium driven by Selenium (scripts/services/browser,
/// scripts/services/python-readers). Skipped with a notice when either is missing; a failure under CI=true.
@Suite(.serialized)
struct BrowserTests {
    /// Python with Selenium, and the checking script; nil after a notice (or a CI failure) when missing.
    static func checker() -> (python: URL, script: URL)? {
        let hasBrowser = ["chromium", "chromedriver"].allSatisfy { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
            }
        }
        guard hasBrowser, let python = ServicePython.interpreter(importing: ["selenium"]),
              let root = ServicePython.packageRoot() else {
            let message = "the browser test needs chromium and chromedriver (scripts/services/browser) and a Python with selenium (scripts/services/python-readers)"
            if ServicePython.isCI { Issue.record(Comment(rawValue: message)) } else { print("notice: skipped: \(message)") }
            return nil
        }
        return (python, root.appendingPathComponent("scripts/readers/check_report.py"))
    }

    /// Where screenshots go: $SCALPEL_SCREENSHOTS, else a folder in the temporary directory.
    static var screenshots: URL {
        let folder = ProcessInfo.processInfo.environment["SCALPEL_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-report-screenshots")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    struct Number: Codable { var selector: String; var text: String }
    struct Expectations: Codable { var sections: [String]; var plots: [String]; var numbers: [Number] }
    struct Outcome: Codable {
        var console: [String]
        var missing_sections: [String]
        var missing_plots: [String]
        var empty_plots: [String]
        var mismatches: [[String: AnyCodableText]]
        var screenshot: String
    }
    /// Any JSON value, kept as its description (for messages).
    struct AnyCodableText: Codable, CustomStringConvertible {
        var description: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            description = (try? container.decode(String.self)) ?? (try? container.decode([String].self).description) ?? "?"
        }
        func encode(to encoder: any Encoder) throws {}
    }

    static func check(page: URL, expectations: Expectations, screenshot name: String) throws {
        guard let (python, script) = checker() else { return }
        let expectationsURL = page.deletingLastPathComponent().appendingPathComponent("expectations.json")
        try JSONEncoder().encode(expectations).write(to: expectationsURL)
        let screenshot = screenshots.appendingPathComponent(name)
        let result = try ServicePython.run(python, [script.path, page.path, expectationsURL.path, screenshot.path])
        try #require(result.status == 0, "check_report.py failed: \(result.errors)")
        let outcome = try JSONDecoder().decode(Outcome.self, from: Data(result.output.utf8))
        #expect(outcome.console.isEmpty, "console: \(outcome.console)")
        #expect(outcome.missing_sections.isEmpty, "missing sections: \(outcome.missing_sections)")
        #expect(outcome.missing_plots.isEmpty, "missing plots: \(outcome.missing_plots)")
        #expect(outcome.empty_plots.isEmpty, "empty plots: \(outcome.empty_plots)")
        #expect(outcome.mismatches.isEmpty, "numbers: \(outcome.mismatches)")
        #expect(FileManager.default.fileExists(atPath: screenshot.path))
        print("notice: screenshot of the report written to \(screenshot.path)")
    }

    @Test func runPageInChromium() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = try ReportFixtures.run(in: folder, classNames: ["clear", "<script>alert(1)</script>"])
        // Every section: the analyses too.
        _ = try UAPSectionTests.writeUAP(to: folder.appendingPathComponent("attacks/uap-linf"))
        try SimilaritySectionTests.writeSimilarity(toRun: folder)
        _ = try ExplanationSectionTests.writeExplanation(to: folder.appendingPathComponent("explanations/gradcam-layer4-predicted"))
        let page = folder.appendingPathComponent("report.html")
        try ReportPage.make(folders: [folder]).write(to: page)
        var numbers: [Number] = []
        for (name, metric) in try #require(results.test).metrics {
            numbers.append(Number(selector: #"#test-metrics [data-metric="\#(name)"][data-part="value"]"#, text: HTML.number(metric.value)))
            if let upper = metric.upper {
                numbers.append(Number(selector: #"#test-metrics [data-metric="\#(name)"][data-part="upper"]"#, text: HTML.number(upper)))
            }
        }
        numbers.append(Number(selector: #"#test-metrics [data-metric="loss"][data-part="value"]"#, text: HTML.number(results.testLoss)))
        // The class name shows as text, not as markup.
        numbers.append(Number(selector: "#per-class tbody tr:nth-child(2) td:first-child", text: "<script>alert(1)</script>"))
        numbers.append(Number(selector: #"[data-metric="uap-fooling-rate"]"#, text: "0.7250"))
        numbers.append(Number(selector: "#similarity-table-0 tbody tr:nth-child(2) td:first-child", text: "<stage>"))
        numbers.append(Number(selector: #"[data-metric="explain-deletion"]"#, text: "0.2500"))
        numbers.append(Number(selector: #"[id="0-explain-table"] tbody tr:nth-child(3) td:first-child"#, text: "<script>"))
        try Self.check(page: page, expectations: Expectations(sections: ReportPageTests.sections + ["similarity", "0-uap", "0-explain"],
                                                              plots: ReportPageTests.plots + ["similarity-0", "block-cka-0", "0-uap-image", "0-uap-triptych",
                                                                                              "0-uap-curve", "0-uap-confusion",
                                                                                              "0-explain-grid-0", "0-explain-grid-1"],
                                                              numbers: numbers),
                       screenshot: "run.png")
    }

    @Test func comparisonPageInChromium() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.comparison(in: folder)
        let page = folder.appendingPathComponent("report.html")
        try ReportPage.make(folders: [folder]).write(to: page)
        let comparison = try ComparisonRecord(folder: folder)
        var numbers: [Number] = []
        for row in comparison.rows {
            let strategy = #"[data-strategy="\#(row.strategy)"]"#
            numbers.append(Number(selector: strategy + #"[data-metric="auroc"][data-part="mean"]"#, text: HTML.number(row.auroc?.mean)))
            numbers.append(Number(selector: strategy + #"[data-metric="auprc"][data-part="std"]"#, text: HTML.number(row.auprc?.std)))
            numbers.append(Number(selector: strategy + #"[data-metric="parameters"]"#, text: String(row.parameters)))
        }
        try Self.check(page: page, expectations: Expectations(sections: ["comparison-summary", "strategies", "trade-off"],
                                                              plots: ["auroc-parameters"], numbers: numbers),
                       screenshot: "comparison.png")
    }

    @Test func sweepPageInChromium() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try SweepSectionTests.writeSweep(to: folder)
        let page = folder.appendingPathComponent("report.html")
        try ReportPage.make(folders: [folder]).write(to: page)
        let numbers = try SweepRecord(folder: folder).rows.filter { $0.auroc != nil }.map { row in
            Number(selector: #"[data-run="\#(row.run)"][data-metric="auroc"][data-part="mean"]"#, text: HTML.number(row.auroc?.mean))
        }
        try Self.check(page: page, expectations: Expectations(sections: ["sweep-summary", "sweep-table-section", "sweep-axes"],
                                                              plots: ["sweep-axis-0", "sweep-axis-1"], numbers: numbers),
                       screenshot: "sweep.png")
    }
}
