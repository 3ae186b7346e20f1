// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelReport
@testable import ScalpelTraining

struct ReportPageTests {
    static let sections = ["summary", "test-curves", "training", "confusion", "calibration", "complexity"]
    static let plots = ["roc", "pr", "loss-curves", "validation-curves", "learning-rate", "confusion-matrix", "reliability"]

    @Test func runPageHasEverySectionAndTheFilesNumbers() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = try ReportFixtures.run(in: folder)
        let html = try ReportPage.make(folders: [folder]).html()
        for section in Self.sections { #expect(html.contains(#"<section id="\#(section)""#), "section \(section)") }
        for plot in Self.plots { #expect(html.contains(#"data-plot="\#(plot)""#), "plot \(plot)") }
        let test = try #require(results.test)
        for (name, metric) in test.metrics {
            #expect(html.contains(#"data-metric="\#(name)" data-part="value">\#(HTML.number(metric.value))<"#), "\(name)")
            if let lower = metric.lower {
                #expect(html.contains(#"data-metric="\#(name)" data-part="lower">\#(HTML.number(lower))<"#), "\(name) lower")
            }
        }
        #expect(html.contains("best epoch 3"))
        #expect(html.contains("efficientnet-lite0") && html.contains("truncated"))
        // Self-contained: no script, no external reference.
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("@import"))
    }

    @Test func classNamesFromTheDataAreEscaped() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.run(in: folder, classNames: ["clear", "<script>alert(1)</script>", "a\"b&c"])
        let html = try ReportPage.make(folders: [folder]).html()
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("a\"b&c"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a&quot;b&amp;c"))
    }

    @Test func unfinishedRunShowsItsCurvesAndSaysSo() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.run(in: folder, finished: false)
        let html = try ReportPage.make(folders: [folder]).html()
        #expect(html.contains("has not finished"))
        #expect(html.contains(#"data-plot="loss-curves""#))
        #expect(!html.contains(#"data-plot="roc""#))
    }

    @Test func comparisonPage() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.comparison(in: folder)
        let html = try ReportPage.make(folders: [folder]).html()
        for section in ["comparison-summary", "strategies", "trade-off"] { #expect(html.contains(#"<section id="\#(section)""#)) }
        #expect(html.contains(#"data-plot="auroc-parameters""#))
        #expect(html.contains(#"data-strategy="full" data-metric="auroc" data-part="mean">0.9512<"#))
        #expect(html.contains(#"data-strategy="truncated:cut=&lt;stage4&gt;" data-metric="auroc" data-part="std">0.0087<"#))
        #expect(html.contains("efficientnet-lite0 on &lt;b&gt;pneumonia&lt;/b&gt;"))
        #expect(html.contains("pneumoniamnist.npz"))
        // A run and a comparison on one page: ids stay unique.
        let run = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: run) }
        try ReportFixtures.run(in: run)
        let both = try ReportPage.make(folders: [run, folder]).html()
        #expect(both.contains(#"id="f0-summary""#) && both.contains(#"id="f1-strategies""#))
    }

    @Test func clearErrors() throws {
        let empty = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ReportError.self) { try ReportPage.make(folders: [empty]) }
        do {
            _ = try ReportPage.make(folders: [empty])
        } catch let error as ReportError {
            #expect(error.message.contains("is not a run folder"))
        }
        // A run without results: config.yaml only.
        try Data("data: x.npz\n".utf8).write(to: empty.appendingPathComponent("config.yaml"))
        do {
            _ = try ReportPage.make(folders: [empty])
            Issue.record("a run without results must be refused")
        } catch let error as ReportError {
            #expect(error.message.contains("without results"))
        }
        // Missing folder.
        #expect(throws: ReportError.self) { try ReportPage.make(folders: [empty.appendingPathComponent("nope")]) }
    }

    @Test func comparisonWhoseRunsDisagreeOnTheDataIsRefused() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.comparison(in: folder, dataOfSecond: "breastmnist.npz")
        do {
            _ = try ReportPage.make(folders: [folder])
            Issue.record("disagreeing runs must be refused")
        } catch let error as ReportError {
            #expect(error.message.contains("disagree on the dataset"))
            #expect(error.message.contains("breastmnist.npz") && error.message.contains("pneumoniamnist.npz"))
        }
    }

    @Test func neverReadsOutsideTheFolder() throws {
        let outside = ReportFixtures.temporaryFolder("scalpel-outside")
        let folder = ReportFixtures.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: outside)
        }
        try ReportFixtures.run(in: outside)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("metrics.json"),
                                                   withDestinationURL: outside.appendingPathComponent("metrics.json"))
        do {
            _ = try ReportPage.make(folders: [folder])
            Issue.record("a link out of the folder must be refused")
        } catch let error as ReportError {
            #expect(error.message.contains("outside"))
        }
    }

    @Test func writesAtomicallyAndReplaces() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.run(in: folder)
        let output = folder.appendingPathComponent("report.html")
        try ReportPage.make(folders: [folder]).write(to: output)
        try ReportPage.make(folders: [folder]).write(to: output)
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>") && text.hasSuffix("</html>\n"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
