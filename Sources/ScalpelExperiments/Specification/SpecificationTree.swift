// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Yams

/// A run specification as YAML nodes, two levels deep (`section.key: scalar`) plus `version`: where
/// fields are set by name, compared and checked against the known fields.
struct SpecificationTree {
    var version: Node?
    var sections: [(name: String, fields: [(key: String, value: Node)])] = []

    init(_ specification: RunSpecification) throws {
        let text = try YAMLEncoder().encode(specification)
        guard let node = try Yams.compose(yaml: text) else { throw ExperimentError("cannot represent the run specification as YAML") }
        try self.init(node: node, source: "run specification")
        // Numbers as people write them (0.001, not Yams' 1e-3), still the shortest text that reads back exactly.
        for section in sections.indices {
            for field in sections[section].fields.indices {
                let value = sections[section].fields[field].value
                if value.tag.rawValue == Tag.Name.float.rawValue, let number = value.scalar.flatMap({ Double($0.string) }) {
                    sections[section].fields[field].value = Node(number.description)
                }
            }
        }
    }

    /// The tree of a YAML document: a mapping of `version` and sections, each a mapping of scalars.
    init(node: Node, source: String) throws {
        guard let mapping = node.mapping else {
            throw ExperimentError("\(source): expected a mapping of sections (data, model, strategy, training, runtime)")
        }
        for (key, value) in mapping {
            guard let name = key.string else { throw ExperimentError("\(source): a key is not text") }
            if name == "version" {
                version = value
                continue
            }
            guard let fields = value.mapping else {
                throw ExperimentError("\(source): '\(name)' must be a mapping of fields (e.g. '\(name):' followed by indented 'key: value' lines)")
            }
            var entries: [(key: String, value: Node)] = []
            for (fieldKey, fieldValue) in fields {
                guard let field = fieldKey.string else { throw ExperimentError("\(source): a key of '\(name)' is not text") }
                guard fieldValue.scalar != nil else {
                    throw ExperimentError("\(source): '\(name).\(field)' must be a single value, not a list or a mapping")
                }
                entries.append((field, fieldValue))
            }
            sections.append((name, entries))
        }
    }

    /// Sets `section.key` to `text`, read as YAML reads a plain value (a number, true/false, or text).
    mutating func set(_ text: String, at path: String) {
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        // Read as a plain YAML value; anything that is not one value (empty, a list, a mapping) stays text.
        var node = Node(text, Tag(.str), .doubleQuoted)
        if let composed = try? Yams.compose(yaml: text), composed.scalar != nil { node = composed }
        if let index = sections.firstIndex(where: { $0.name == parts[0] }) {
            if let field = sections[index].fields.firstIndex(where: { $0.key == parts[1] }) {
                sections[index].fields[field].value = node
            } else {
                sections[index].fields.append((parts[1], node))
            }
        } else {
            sections.append((parts[0], [(parts[1], node)]))
        }
    }

    /// `section.key` → the value's text, for every value that is not null.
    func flattened() -> [String: String] {
        var result: [String: String] = [:]
        if let version = version?.scalar?.string { result["version"] = version }
        for section in sections {
            for field in section.fields where field.value.null == nil {
                if let scalar = field.value.scalar { result["\(section.name).\(field.key)"] = scalar.string }
            }
        }
        return result
    }

    var node: Node {
        var pairs: [(Node, Node)] = []
        if let version { pairs.append((Node("version"), version)) }
        for section in sections {
            pairs.append((Node(section.name), Node(section.fields.map { (Node($0.key), $0.value) })))
        }
        return Node(pairs)
    }

    /// The specification this tree describes; a missing or mistyped field, or one no specification has,
    /// is an error naming `source` and the field.
    func decode(source: String) throws -> RunSpecification {
        let text = try Yams.serialize(node: node)
        let specification: RunSpecification
        do {
            specification = try YAMLDecoder().decode(RunSpecification.self, from: text)
        } catch let error as DecodingError {
            throw ExperimentError("\(source): \(Self.describe(error))")
        } catch {
            throw ExperimentError("\(source): \(error)")
        }
        let known = try SpecificationTree(specification).flattened()
        let given = flattened()
        if let unknown = given.keys.sorted().first(where: { known[$0] == nil }) {
            throw ExperimentError("\(source): '\(unknown)' is not a field of a run specification (known: \(RunSpecification.optionPaths.map(\.path).joined(separator: ", ")))")
        }
        return specification
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "'\(path(context, key))' is missing; add it (see `scalpel train --help` for its default)"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "'\(path(context))' must be \(typeName(type)) (\(context.debugDescription))"
        case .dataCorrupted(let context):
            return "'\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int?.Type: "a whole number"
        case is Double.Type, is Double?.Type: "a number"
        case is Bool.Type: "true or false"
        default: "text"
        }
    }
}
