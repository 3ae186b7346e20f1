// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelReport

/// `scalpel report`: one self-contained HTML page of run and comparison folders, from their result
/// files only (no model is loaded).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of runs (scalpel train), comparisons (scalpel compare), sweeps (scalpel sweep), explanations (scalpel explain) and UAP attacks.",
        discussion: """
            One self-contained page (inline SVG plots, no script, no network) with the summary, test metrics with \
            95 % intervals, ROC and PR curves with bootstrap bands, training curves, the confusion matrix and \
            calibration of each run, and the strategy table and AUROC-against-parameters plot of each comparison.
            """)

    @Argument(help: "Run, comparison, sweep, explanation or UAP folders.")
    var folders: [String]

    @Option(help: "The HTML file to write (default: report.html inside the first folder).")
    var output: String?

    func validate() throws {
        guard !folders.isEmpty else { throw ValidationError("Give at least one run or comparison folder.") }
    }

    func run() throws {
        let urls = folders.map { URL(fileURLWithPath: $0) }
        let page = try ReportPage.make(folders: urls)
        let destination = URL(fileURLWithPath: output ?? urls[0].appendingPathComponent("report.html").path)
        try page.write(to: destination)
        print("Written: \(destination.path)")
    }
}
