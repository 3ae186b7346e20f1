// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelExperiments

/// `scalpel runs`: the index of every run — list and filter, show one, rebuild from run folders.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, filter and show recorded runs; rebuild the run index from run folders.",
        discussion: """
            Every run that train, compare, search and demo write is recorded in a SQLite index at $SCALPEL_INDEX, \
            else $XDG_DATA_HOME/scalpel/runs.sqlite, else ~/.local/share/scalpel/runs.sqlite (SCALPEL_INDEX=off: \
            nothing is recorded). The index is rebuilt from the run folders with `scalpel runs reindex FOLDER…`, \
            so deleting it loses nothing.
            """,
        subcommands: [List.self, Show.self, Reindex.self],
        defaultSubcommand: List.self)

    struct IndexOptions: ParsableArguments {
        @Option(help: "The index file (default: $SCALPEL_INDEX, else $XDG_DATA_HOME/scalpel/runs.sqlite, else ~/.local/share/scalpel/runs.sqlite).")
        var index: String?

        func open() throws -> RunIndex {
            try RunIndex(at: index.map { URL(fileURLWithPath: $0) } ?? RunIndex.defaultURL())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List indexed runs (the default).")

        @Option(name: .customLong("where"), help: ArgumentHelp(
            "A condition FIELD OP VALUE (OP: =, !=, <, <=, >, >=, ~ for contains), e.g. auroc>=0.9, strategy=full, model~resnet; repeat for several. Fields: \(IndexedRun.fields.map(\.name).joined(separator: ", ")).",
            valueName: "condition"))
        var filters: [String] = []

        @Option(parsing: .unconditionalSingleValue, help: "Order by FIELD (ascending) or -FIELD (descending); repeat for ties.")
        var sort: [String] = []

        @Option(help: "Show at most this many runs.")
        var limit: Int?

        @Flag(help: "Print the runs as a JSON array.")
        var json = false

        @OptionGroup var index: IndexOptions

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more, got \(limit).") }
            do {
                _ = try filters.map(RunFilter.init(parsing:))
                _ = try sort.map(RunSort.init(parsing:))
            } catch let error as ExperimentError {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            let runs = try index.open().runs(where: try filters.map(RunFilter.init(parsing:)),
                                             sortedBy: try sort.map(RunSort.init(parsing:)), limit: limit)
            if json {
                print(String(decoding: try RunsCommand.encoder.encode(runs), as: UTF8.self))
                return
            }
            print(RunsCommand.table(runs))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one indexed run and its specification.")

        @Argument(help: "The run's id (the first column of `scalpel runs`).")
        var id: Int64

        @Flag(help: "Print the run as JSON.")
        var json = false

        @OptionGroup var index: IndexOptions

        func run() throws {
            let opened = try index.open()
            guard let run = try opened.run(id: id) else {
                throw CommandError("no run with id \(id) in \(opened.url.path); `scalpel runs` lists them")
            }
            if json {
                print(String(decoding: try RunsCommand.encoder.encode(run), as: UTF8.self))
                return
            }
            func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
            print("""
                run \(run.id ?? 0): \(run.status)
                folder:      \(run.folder)
                hash:        \(run.specificationHash)
                test:        AUROC \(number(run.auroc)), AUPRC \(number(run.auprc)), ACC \(number(run.accuracy)), BACC \(number(run.balancedAccuracy))
                epochs:      \(run.epochsDone) of \(run.epochs), best \(run.bestEpoch.map(String.init) ?? "-"), training \(run.trainingSeconds.map { String(format: "%.1f s", $0) } ?? "-")
                specification:
                """)
            print(run.specification.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    struct Reindex: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reindex", abstract: "Rebuild the index from run folders, dropping runs whose folder is gone.")

        @Argument(help: "Folders to search for runs (up to 8 levels deep).")
        var folders: [String] = ["runs"]

        @OptionGroup var index: IndexOptions

        func run() throws {
            let opened = try index.open()
            let result = try opened.reindex(roots: folders.map { URL(fileURLWithPath: $0) })
            for line in result.unreadable { FileHandleOutput.standardError("skipped \(line)\n") }
            print("\(result.recorded) run(s) recorded, \(result.removed) removed; \(try opened.count()) in \(opened.url.path)")
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func table(_ runs: [IndexedRun]) -> String {
        var rows = [["id", "status", "dataset", "model", "strategy", "seed", "AUROC", "AUPRC", "folder"]]
        for run in runs {
            rows.append([String(run.id ?? 0), run.status, run.dataset, run.model,
                         run.parameters.isEmpty ? run.strategy : "\(run.strategy):\(run.parameters)", String(run.seed),
                         run.auroc.map { String(format: "%.4f", $0) } ?? "-", run.auprc.map { String(format: "%.4f", $0) } ?? "-",
                         run.folder])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n\(runs.count) run(s)"
    }
}
