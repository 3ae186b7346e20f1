// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelExperiments
import Torch
import Yams

/// `--config FILE.yaml`: any option of a command can come from a YAML mapping whose keys are the
/// option names without dashes (`epochs: 5`, `lr: 0.001`, `seeds: [0, 1, 2]`, `resume: true`).
/// Options given on the command line win over the file. An unknown key is an error from the
/// argument parser, naming it.
enum ConfigFile {
    /// `arguments` with the options of the `--config` file (if any) appended where the command line
    /// does not already give them (a run's versioned `config.yaml` reads as the options that repeat it); `--config` itself is removed.
    static func merge(_ arguments: [String]) throws -> [String] {
        guard let index = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else {
            return arguments
        }
        var rest = arguments
        let path: String
        if arguments[index].hasPrefix("--config=") {
            path = String(arguments[index].dropFirst("--config=".count))
            rest.remove(at: index)
        } else {
            guard index + 1 < arguments.count else { throw CommandError("--config needs a YAML file path") }
            path = arguments[index + 1]
            rest.removeSubrange(index...(index + 1))
        }
        let options = try read(URL(fileURLWithPath: path))
        let given = Set(rest.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2).split(separator: "=").first ?? "") })
        for (key, value) in options where !given.contains(key) {
            rest += try optionArguments(key: key, value: value, file: path)
        }
        return rest
    }

    /// The file's mapping, keys in file order.
    static func read(_ url: URL) throws -> [(String, Any)] {
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: url))
        } catch {
            throw CommandError("--config: cannot read \(url.path): \(error.localizedDescription)")
        }
        // Size, nesting and aliases are bounded before the YAML parser (which recurses) sees the file.
        do {
            try ConfigLimits.checkNesting(bytes, source: url.path)
        } catch let error as SerializationError {
            throw CommandError("--config: \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandError("--config: \(url.path) is not UTF-8 text; save it as UTF-8")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            // The parser's message quotes the offending line: keep its first line, shortened, never the file.
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw CommandError("--config: \(url.path) is not valid YAML: \(first.prefix(200))")
        }
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            throw CommandError("--config: \(url.path) must be a mapping of option names to values (e.g. 'epochs: 5')")
        }
        if mapping["version"] != nil {
            // A run specification (a run's config.yaml): its fields as the options that reproduce it.
            let specification = try asCommandError { try RunSpecification(yaml: text, source: "--config: \(url.path)") }
            // fp32 is every command's default; only `train` has --precision, so only another precision is passed on.
            return try specification.optionValues().filter { !($0.option == "precision" && $0.value == "fp32") }.map { entry -> (String, Any) in
                entry.value == "true" || entry.value == "false" ? (entry.option, entry.value == "true") : (entry.option, entry.value)
            }
        }
        return try mapping.map { key, value in
            guard let name = key.string else { throw CommandError("--config: \(url.path): a key is not text") }
            return (name, try plain(value, key: name, file: url.path))
        }
    }

    private static func plain(_ node: Node, key: String, file: String) throws -> Any {
        if let sequence = node.sequence {
            return try sequence.map { item -> String in
                guard let scalar = item.scalar else { throw CommandError("--config: \(file): '\(key)' must be a list of plain values") }
                return scalar.string
            }
        }
        guard let scalar = node.scalar else {
            throw CommandError("--config: \(file): '\(key)' must be a value or a list, not a mapping")
        }
        if let flag = Bool.construct(from: scalar), ["true", "false", "yes", "no", "on", "off"].contains(scalar.string.lowercased()) {
            return flag
        }
        return scalar.string
    }

    private static func optionArguments(key: String, value: Any, file: String) throws -> [String] {
        guard key.range(of: "^[a-z][a-z0-9-]*$", options: .regularExpression) != nil else {
            throw CommandError("--config: \(file): '\(key)' is not an option name (use the long option without dashes, e.g. 'batch-size')")
        }
        switch value {
        case let flag as Bool: return flag ? ["--\(key)"] : []
        case let list as [String]: return ["--\(key)", list.joined(separator: ",")]
        default: return ["--\(key)", "\(value)"]
        }
    }
}
