// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import GRDB

/// The SQLite index of runs (one row per run folder), for finding and comparing runs months later.
///
/// It lives at `$SCALPEL_INDEX`, else `$XDG_DATA_HOME/scalpel/runs.sqlite`, else
/// `~/.local/share/scalpel/runs.sqlite`. It is only an index: every row is read from a run folder, so
/// ``reindex(roots:)`` rebuilds it and a deleted database loses nothing.
///
/// ```swift
/// let index = try RunIndex()
/// try index.record(runFolderURL)
/// let best = try index.runs(where: [RunFilter(parsing: "strategy=full")], sortedBy: [RunSort(parsing: "-auroc")], limit: 10)
/// ```
public final class RunIndex: Sendable {
    public let url: URL
    private let queue: DatabaseQueue

    /// `$SCALPEL_INDEX`, else `$XDG_DATA_HOME/scalpel/runs.sqlite`, else `~/.local/share/scalpel/runs.sqlite`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["SCALPEL_INDEX"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return URL(fileURLWithPath: data).appendingPathComponent("scalpel/runs.sqlite")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/scalpel/runs.sqlite")
    }

    /// Whether runs are recorded automatically: not when `$SCALPEL_INDEX` is `off`.
    public static func isEnabled(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["SCALPEL_INDEX"] != "off"
    }

    /// Opens (creating when needed) the index at `url`.
    public init(at url: URL = RunIndex.defaultURL()) throws {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)   // several runs may finish at once
            queue = try DatabaseQueue(path: url.path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch let error as DatabaseError {
            throw ExperimentError("run index \(url.path): \(error.message ?? "\(error)"); delete the file and run `scalpel runs reindex` to rebuild it")
        } catch {
            throw ExperimentError("run index \(url.path): cannot be opened (\(error.localizedDescription)); set SCALPEL_INDEX to a writable file")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: IndexedRun.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("folder", .text).notNull().unique()
                table.column("specificationHash", .text).notNull().indexed()
                table.column("status", .text).notNull()
                table.column("dataset", .text).notNull().indexed()
                table.column("model", .text).notNull().indexed()
                table.column("weights", .text).notNull()
                table.column("strategy", .text).notNull().indexed()
                table.column("parameters", .text).notNull()
                table.column("seed", .integer).notNull()
                table.column("epochs", .integer).notNull()
                table.column("lr", .double).notNull()
                table.column("auroc", .double).indexed()
                table.column("auprc", .double)
                table.column("accuracy", .double)
                table.column("balancedAccuracy", .double)
                table.column("bestEpoch", .integer)
                table.column("epochsDone", .integer).notNull()
                table.column("trainingSeconds", .double)
                table.column("updatedAt", .datetime).notNull()
                table.column("specification", .text).notNull()
            }
            // The usual question — the best runs of a strategy, model or dataset — answered from an index.
            for column in ["strategy", "model", "dataset"] {
                try db.create(index: "runs_on_\(column)_auroc", on: IndexedRun.databaseTableName, columns: [column, "auroc"])
            }
        }
        return migrator
    }

    /// Records (or updates) the run in `folder`.
    @discardableResult
    public func record(_ folder: URL) throws -> IndexedRun {
        var run = try IndexedRun(folder: folder)
        try write { db in
            run.id = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE folder = ?", arguments: [run.folder])
            if run.id == nil { try run.insert(db) } else { try run.update(db) }
        }
        return run
    }

    /// Records many runs in one transaction (faster than one ``record(_:)`` each).
    public func record(_ runs: [IndexedRun]) throws {
        try write { db in
            for var run in runs {
                run.id = try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE folder = ?", arguments: [run.folder])
                if run.id == nil { try run.insert(db) } else { try run.update(db) }
            }
        }
    }

    /// The runs matching every filter, in the given order (then by id), at most `limit`.
    public func runs(where filters: [RunFilter] = [], sortedBy sort: [RunSort] = [], limit: Int? = nil) throws -> [IndexedRun] {
        var request = IndexedRun.all()
        for filter in filters { request = request.filter(try filter.expression) }
        request = request.order(try sort.map { try $0.ordering } + [Column("id").asc])
        if let limit { request = request.limit(max(0, limit)) }
        return try read { db in try request.fetchAll(db) }
    }

    /// The run with `id`, or nil.
    public func run(id: Int64) throws -> IndexedRun? {
        try read { db in try IndexedRun.fetchOne(db, key: id) }
    }

    public func count() throws -> Int { try read { db in try IndexedRun.fetchCount(db) } }

    /// Rebuilds the index from the run folders under `roots` (searched up to 8 levels deep), and drops
    /// rows whose folder no longer holds a run. Folders that cannot be read are returned, not fatal.
    public func reindex(roots: [URL]) throws -> (recorded: Int, removed: Int, unreadable: [String]) {
        var found: [IndexedRun] = [], unreadable: [String] = []
        for root in roots {
            for folder in Self.runFolders(under: root) {
                do { found.append(try IndexedRun(folder: folder)) } catch { unreadable.append("\(folder.path): \(error)") }
            }
        }
        try record(found)
        let known = try read { db in try String.fetchAll(db, sql: "SELECT folder FROM runs") }
        let gone = known.filter { !FileManager.default.fileExists(atPath: URL(fileURLWithPath: $0).appendingPathComponent("config.yaml").path) }
        try write { db in
            for folder in gone { try db.execute(sql: "DELETE FROM runs WHERE folder = ?", arguments: [folder]) }
        }
        return (found.count, gone.count, unreadable)
    }

    /// Folders holding a `config.yaml` under `root` (itself included), at most `depth` levels down,
    /// not descending into a run or hidden folders.
    static func runFolders(under root: URL, depth: Int = 8) -> [URL] {
        let manager = FileManager.default
        if manager.fileExists(atPath: root.appendingPathComponent("config.yaml").path) { return [root] }
        guard depth > 0, let children = try? manager.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey],
                                                                          options: [.skipsHiddenFiles]) else { return [] }
        return children.sorted { $0.path < $1.path }.flatMap { child -> [URL] in
            guard (try? child.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else { return [] }
            return runFolders(under: child, depth: depth - 1)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let error as DatabaseError {
            throw ExperimentError("run index \(url.path): \(error.message ?? "\(error)")")
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch let error as DatabaseError {
            throw ExperimentError("run index \(url.path): \(error.message ?? "\(error)")")
        }
    }
}
