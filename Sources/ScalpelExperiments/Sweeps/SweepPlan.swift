// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Yams

/// A sweep file expanded into runs: every combination of the grid's values on top of the base options,
/// each a run specification with its own folder.
///
/// ```yaml
/// version: 1
/// output: runs/sweep-breast          # every run goes below it (default: runs/sweep-FILE)
/// base: {data: breastmnist, model: efficientnet_lite0, epochs: 10}
/// grid:                              # axes, expanded in order (the last varies fastest)
///   strategy:
///     - full                         # a value of the option named by the axis
///     - {strategy: linear-probe, lr: 0.01, epochs: 20}   # or several options at once
///   seed: [0, 1, 2]
/// max-runs: 100                      # more than this needs --yes
/// concurrency: 2                     # runs at once (each its own process)
/// threads-per-run: 1                 # libtorch threads of each run
/// slurm: {partition: gpu, time: "2:00:00"}   # for --emit slurm (see SlurmOptions)
/// ```
///
/// Keys of `base` and of grid values are `scalpel train` option names or specification fields
/// (`training.lr`). Run folders are `OUTPUT/AXIS=LABEL/…`, the label being the value (or, for several
/// options, the value of the option named by the axis, else the value's position).
public struct SweepPlan {
    public struct Point: Sendable {
        /// Axis and label of each grid value of this point, in axis order.
        public var labels: [(axis: String, label: String)]
        public var specification: RunSpecification
        public var folder: URL

        /// `axis=label,axis=label`: the point's name in messages and tables.
        public var name: String { labels.map { "\($0.axis)=\($0.label)" }.joined(separator: ",") }

        public init(labels: [(axis: String, label: String)], specification: RunSpecification, folder: URL) {
            self.labels = labels
            self.specification = specification
            self.folder = folder
        }
    }

    public static let currentVersion = 1
    public static let defaultMaximumRuns = 100

    public var output: URL
    public var points: [Point]
    /// The grid's axes, in order.
    public var axes: [String]
    public var concurrency: Int
    public var threadsPerRun: Int?
    public var maximumRuns: Int
    /// The `slurm:` mapping: what `--emit slurm` asks the cluster for.
    public var slurm = SlurmOptions()

    /// A sweep made by a command (`compare`'s strategies × seeds) rather than read from a file; two
    /// points with the same folder are an error.
    public init(output: URL, axes: [String], points: [Point], concurrency: Int = 1, maximumRuns: Int = Self.defaultMaximumRuns) throws {
        var folders: [String: String] = [:]
        for point in points {
            if let other = folders[point.folder.path] {
                throw ExperimentError("runs \(other) and \(point.name) both resolve to the run folder \(point.folder.path)")
            }
            folders[point.folder.path] = point.name
        }
        guard (1...256).contains(concurrency) else { throw ExperimentError("concurrency must be from 1 to 256, got \(concurrency)") }
        self.output = output
        self.axes = axes
        self.points = points
        self.concurrency = concurrency
        self.threadsPerRun = nil
        self.maximumRuns = maximumRuns
    }

    /// Reads and expands the sweep file at `url`; relative paths in it (`output`) start from the current folder.
    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ExperimentError("\(url.path): cannot be read (\(error.localizedDescription))")
        }
        try self.init(yaml: text, source: url.path, defaultOutput: "runs/sweep-" + url.deletingPathExtension().lastPathComponent)
    }

    /// Expands a sweep document; `source` names it in errors.
    public init(yaml text: String, source: String, defaultOutput: String = "runs/sweep") throws {
        guard text.utf8.count <= 1 << 20 else { throw ExperimentError("\(source): larger than 1 MiB; not a sweep file") }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw ExperimentError("\(source): not valid YAML: \(error)") }
        guard let mapping = node?.mapping else {
            throw ExperimentError("\(source): expected a mapping with base, grid and (optionally) output, max-runs, concurrency, threads-per-run")
        }
        let known: Set<String> = ["version", "output", "base", "grid", "max-runs", "concurrency", "threads-per-run", "slurm"]
        for key in mapping.keys {
            guard let name = key.string, known.contains(name) else {
                throw ExperimentError("\(source): '\(key.string ?? "?")' is not a sweep key (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        if let version = mapping["version"]?.int, version > Self.currentVersion {
            throw ExperimentError("\(source): version \(version) was written for a newer Scalpel; this one reads version \(Self.currentVersion)")
        }
        func count(_ key: String, default value: Int?, range: ClosedRange<Int>) throws -> Int? {
            guard let node = mapping[key] else { return value }
            guard let number = node.int, range.contains(number) else {
                throw ExperimentError("\(source): '\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(node.scalar?.string ?? "a list or mapping")'")
            }
            return number
        }
        maximumRuns = try count("max-runs", default: Self.defaultMaximumRuns, range: 1...1_000_000)!
        concurrency = try count("concurrency", default: 1, range: 1...256)!
        threadsPerRun = try count("threads-per-run", default: nil, range: 1...4096)
        output = URL(fileURLWithPath: mapping["output"]?.string ?? defaultOutput)
        if let node = mapping["slurm"] { slurm = try SlurmOptions(node: node, source: source) }

        let base = try Self.values(of: mapping["base"] ?? Node([(Node, Node)]()), at: "base", source: source)
        var grid: [(axis: String, values: [(label: String, values: [(name: String, value: String)])])] = []
        if let gridNode = mapping["grid"] {
            guard let axes = gridNode.mapping else { throw ExperimentError("\(source): 'grid' must be a mapping of option names to lists of values") }
            for (key, list) in axes {
                guard let axis = key.string else { throw ExperimentError("\(source): a grid axis is not text") }
                let items = list.sequence.map(Array.init) ?? [list]
                guard !items.isEmpty else { throw ExperimentError("\(source): grid axis '\(axis)' has no value, so the grid expands to no run") }
                guard items.count <= 100_000 else { throw ExperimentError("\(source): grid axis '\(axis)' has more than 100000 values") }
                var values: [(label: String, values: [(name: String, value: String)])] = []
                for (position, item) in items.enumerated() {
                    if let scalar = item.scalar {
                        guard RunSpecification.path(of: axis) != nil else {
                            throw ExperimentError("\(source): grid axis '\(axis)' is not a run option, so its plain values set nothing (use mappings of options, or an option name such as lr, strategy, seed)")
                        }
                        values.append((scalar.string, [(axis, scalar.string)]))
                    } else {
                        let options = try Self.values(of: item, at: "grid.\(axis)[\(position)]", source: source)
                        let label = options.last(where: { $0.name == axis })?.value ?? "\(position)"
                        values.append((label, options))
                    }
                }
                grid.append((axis, values))
            }
        }
        axes = grid.map(\.axis)
        let total = grid.reduce(1) { $0.multipliedReportingOverflow(by: $1.values.count).partialValue }
        guard total <= 10_000_000 else { throw ExperimentError("\(source): the grid expands to more than 10000000 runs") }

        // Every combination, the last axis varying fastest.
        var combinations: [[(axis: String, label: String, values: [(name: String, value: String)])]] = [[]]
        for (axis, values) in grid {
            combinations = combinations.flatMap { prefix in values.map { prefix + [(axis, $0.label, $0.values)] } }
        }
        let empty = RunSpecification(data: DataSpecification(source: ""))
        var points: [Point] = [], folders: [String: String] = [:]
        for combination in combinations {
            let labels = combination.map { (axis: $0.axis, label: $0.label) }
            let name = labels.map { "\($0.axis)=\($0.label)" }.joined(separator: ",")
            var values = base + combination.flatMap(\.values)
            if let threadsPerRun { values.append(("threads", String(threadsPerRun))) }
            let context = name.isEmpty ? source : "\(source) (\(name))"
            var specification = try RunSpecification(setting: values, on: empty, source: context)
            guard !specification.data.source.isEmpty else { throw ExperimentError("\(context): no data source; add 'data: …' to base") }
            specification = specification.withStrategyWeights()
            do { try specification.validate() } catch { throw ExperimentError("\(context): \(error)") }
            let folder = labels.reduce(output) { $0.appendingPathComponent("\($1.axis)=\(Self.folderSafe($1.label))") }
            if let other = folders[folder.path] {
                throw ExperimentError("\(source): grid points \(other) and \(name) both resolve to the run folder \(folder.path); give their values different labels")
            }
            folders[folder.path] = name
            points.append(Point(labels: labels, specification: specification, folder: folder))
        }
        self.points = points
    }

    /// Checks the run count against ``maximumRuns`` (unless `confirmed`) and that there is a run.
    public func checkSize(confirmed: Bool) throws {
        guard !points.isEmpty else { throw ExperimentError("the sweep expands to no run") }
        if points.count > maximumRuns, !confirmed {
            throw ExperimentError("the sweep expands to \(points.count) runs, more than max-runs \(maximumRuns); pass --yes to run them all, or raise max-runs")
        }
    }

    static func values(of node: Node, at place: String, source: String) throws -> [(name: String, value: String)] {
        guard let mapping = node.mapping else { throw ExperimentError("\(source): '\(place)' must be a mapping of options to values") }
        return try mapping.map { key, value in
            guard let name = key.string, RunSpecification.path(of: name) != nil else {
                throw ExperimentError("\(source): '\(place).\(key.string ?? "?")' is not a run option (known: \(RunSpecification.optionPaths.map(\.option).joined(separator: ", ")))")
            }
            if value.sequence != nil {
                throw ExperimentError("\(source): '\(place).\(name)' must be one value; put lists under grid")
            }
            guard let scalar = value.scalar else { throw ExperimentError("\(source): '\(place).\(name)' must be one value") }
            return (name, scalar.string)
        }
    }

    /// A label as a folder name: letters, digits, `.`, `_` and `-` kept, anything else `_`.
    static func folderSafe(_ label: String) -> String {
        let safe = String(label.map { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) ? $0 : "_" })
        return safe.isEmpty || safe == "." || safe == ".." ? "_" : safe
    }
}
