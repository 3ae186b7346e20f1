// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// Where a run goes and how it talks.
struct OutputOptions: ParsableArguments {
    @Option(help: "Run folder (default: runs/DATA-MODEL-STRATEGY).")
    var output: String?

    @Flag(help: "Continue the unfinished run in the output folder from its last complete epoch.")
    var resume = false

    @Flag(help: "Overwrite a finished or unfinished run in the output folder.")
    var force = false

    @Flag(help: "Print only the results.")
    var quiet = false

    @Flag(name: .customLong("json-lines"), help: "Print one JSON object per event on standard output (for scripts).")
    var jsonLines = false

    @Option(name: .customLong("report-every"), help: "While training, rewrite report.html in each run folder being trained every N steps and after each epoch (it reloads itself in a browser); train, compare and search.")
    var reportEvery: Int?

    func validate() throws {
        if let reportEvery, reportEvery < 1 { throw ValidationError("--report-every must be at least 1 (optimizer steps).") }
    }
}
