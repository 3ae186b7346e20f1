// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining
import Yams

extension RunSpecification {
    /// The specification as a YAML document: `header` as comment lines, then `version` and the sections.
    public func yaml(header: String? = nil) throws -> String {
        let comments = header.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map { "# \($0)" }.joined(separator: "\n") + "\n" } ?? ""
        return comments + (try Yams.serialize(node: try SpecificationTree(self).node))
    }

    /// Writes ``yaml(header:)`` to `url` atomically.
    public func write(to url: URL, header: String? = nil) throws {
        try RunFolder.writeAtomically(Data(try yaml(header: header).utf8), to: url)
    }

    /// Options of a flat option file that say how a command runs, not what the run is: never part of a run.
    public static let outputControls: Set<String> = ["resume", "force", "quiet", "json-lines", "output"]

    /// Reads a specification file: a versioned document (``yaml(header:)``), or a flat mapping of
    /// `scalpel train` options such as the `config.yaml` of runs written before version 1.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ExperimentError("\(url.path): cannot be read (\(error.localizedDescription))")
        }
        try self.init(yaml: text, source: url.path)
    }

    /// ``init(contentsOf:)`` from text; `source` names it in errors.
    public init(yaml text: String, source: String) throws {
        guard text.utf8.count <= 1 << 20 else { throw ExperimentError("\(source): larger than 1 MiB; not a run specification") }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ExperimentError("\(source): not valid YAML: \(error)")
        }
        guard let node, let mapping = node.mapping else {
            throw ExperimentError("\(source): expected a run specification (a YAML mapping with version, data, model, strategy, training, runtime)")
        }
        if mapping["version"] != nil {
            let tree = try SpecificationTree(node: node, source: source)
            if let version = tree.version?.int, version > Self.currentVersion {
                throw ExperimentError("\(source): version \(version) was written by a newer Scalpel; this one reads version \(Self.currentVersion) and earlier")
            }
            self = try tree.decode(source: source)
            return
        }
        // A flat mapping of option names to values (config.yaml before version 1).
        var values: [(name: String, value: String)] = []
        for (key, value) in mapping {
            guard let name = key.string else { throw ExperimentError("\(source): a key is not text") }
            guard !Self.outputControls.contains(name) else { continue }
            guard let scalar = value.scalar else {
                throw ExperimentError("\(source): '\(name)' must be a single value")
            }
            values.append((name, scalar.string))
        }
        guard values.contains(where: { $0.name == "data" }) else {
            throw ExperimentError("\(source): no 'data' option; a run's config.yaml names its data source")
        }
        self = try RunSpecification(setting: values, on: RunSpecification(data: DataSpecification(source: "")), source: source)
    }
}
