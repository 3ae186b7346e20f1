// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelModels
import Torch

/// `scalpel models`: every architecture with its parameters and MACs, or one architecture's cut points.
///
/// ```sh
/// scalpel models                          # every architecture, 1000-class head, 224×224
/// scalpel models resnet50 --cuts --json   # each cut point: level, params, MACs, feature shape
/// ```
///
/// MACs are counted as ptflops counts them (``MACCount``), per sample at `--input-size`² with 3
/// channels; the size is used as given for every architecture (Inception-v3 is not switched to 299).
/// Without `--cuts` a model keeps its classifier (`--classes`, default 1000, ImageNet's); with `--cuts`
/// each row is the backbone truncated there plus TruncatedTL's pooled linear head (`AdaptiveAvgPool2d(1)`
/// → `Flatten` → `Linear`) for `--classes` classes, default 2 (the TTL paper's binary tasks: ResNet-50
/// cut after `layer3` is 8.55 M / 3.31 GMACs).
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the architectures with parameters and MACs, or one architecture's cut points.")

    @Argument(help: "An architecture (all of them when omitted).")
    var name: String?

    @Flag(help: "List NAME's cut points with the size of the model truncated there (pooled linear head).")
    var cuts = false

    @Option(help: "Side of the square input in pixels; MACs depend on it.")
    var inputSize = 224

    @Option(help: "Classes of the classifier (default: 1000 for whole models, 2 for the head with --cuts).")
    var classes: Int?

    @Flag(help: "One JSON object per line: name, params, macs (and level, shape with --cuts).")
    var json = false

    func validate() throws {
        guard (8 ... 2048).contains(inputSize) else {
            throw ValidationError("--input-size must be between 8 and 2048 pixels, got \(inputSize).")
        }
        if let classes, classes < 1 {
            throw ValidationError("--classes must be at least 1, got \(classes).")
        }
        if cuts && name == nil {
            throw ValidationError("--cuts needs an architecture, e.g. scalpel models resnet50 --cuts.")
        }
        if let name {
            do {
                _ = try Architecture(named: name)
            } catch let error as ArchitectureError {
                throw ValidationError(error.description)
            }
        }
    }

    func run() throws {
        for line in try ModelCatalog().lines(for: self) { print(line) }
    }
}

/// One line of `scalpel models`: an architecture, or a cut point with `level` and `shape`.
struct ModelRow: Encodable, Equatable {
    var name: String
    var params: Int?
    var macs: Int?
    var level: String?
    var shape: [Int]?
    /// Why `params` and `macs` are missing (an architecture not in this build, an input it cannot take).
    var note: String?

    enum CodingKeys: String, CodingKey { case name, params, macs, level, shape, note }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(params, forKey: .params)  // null when unknown, so every row has the key
        try container.encode(macs, forKey: .macs)
        try container.encodeIfPresent(level, forKey: .level)
        try container.encodeIfPresent(shape, forKey: .shape)
        try container.encodeIfPresent(note, forKey: .note)
    }
}

/// Builds `scalpel models`'s rows; `makeModel` is replaceable so tests can stand in for a missing family.
struct ModelCatalog {
    var makeModel: (Architecture, Int) throws -> any Backbone = { try $0.makeModel(classCount: $1) }
    var architectures = Architecture.allCases

    static let notAvailable = "not available in this build yet"

    /// The command's output lines, text or JSON.
    func lines(for command: ModelsCommand) throws -> [String] {
        if command.cuts, let name = command.name {
            let architecture = try Architecture(named: name)
            let rows = try cutRows(architecture, inputSize: command.inputSize, classCount: command.classes ?? 2)
            return command.json ? try rows.map(Self.jsonLine)
                : Self.cutTable(architecture, rows, inputSize: command.inputSize, classCount: command.classes ?? 2)
        }
        let selected = try command.name.map { [try Architecture(named: $0)] } ?? architectures
        let rows = selected.map { row($0, inputSize: command.inputSize, classCount: command.classes ?? 1000) }
        if command.name != nil, let note = rows.first?.note {
            throw CommandError("\(rows[0].name): \(note)")
        }
        return command.json ? try rows.map(Self.jsonLine) : Self.table(rows, inputSize: command.inputSize)
    }

    /// The whole model's row; an architecture that is missing or cannot take the size gets a note.
    func row(_ architecture: Architecture, inputSize: Int, classCount: Int) -> ModelRow {
        var row = ModelRow(name: architecture.rawValue)
        do {
            let model = try makeModel(architecture, classCount)
            let complexity = try measure(inputSize: inputSize) {
                try ModelComplexity.measure(model, inputSize: inputSize)
            }
            row.params = complexity.parameters
            row.macs = complexity.macs.total
        } catch {
            row.note = Self.note(for: error)
        }
        return row
    }

    /// One row per cut point of `architecture`.
    func cutRows(_ architecture: Architecture, inputSize: Int, classCount: Int) throws -> [ModelRow] {
        let model: any Backbone
        do {
            model = try makeModel(architecture, classCount)
        } catch {
            throw CommandError("\(architecture.rawValue): \(Self.note(for: error))")
        }
        let measured: [CutComplexity]
        do {
            measured = try measure(inputSize: inputSize) {
                try ModelComplexity.measureCutPoints(model, inputSize: inputSize, classCount: classCount)
            }
        } catch {
            throw CommandError("\(architecture.rawValue): \(Self.note(for: error))")
        }
        return measured.map {
            ModelRow(name: $0.cut.name, params: $0.complexity.parameters, macs: $0.complexity.macs.total,
                     level: $0.cut.level.rawValue, shape: $0.featureShape)
        }
    }

    /// Runs `body`, turning a libtorch refusal of the input size into a message naming the size.
    private func measure<R>(inputSize: Int, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as TorchError {
            throw CommandError("cannot take a \(inputSize)×\(inputSize) input (try a larger --input-size): \(error.message)")
        }
    }

    /// The row note for a failure: "not available in this build yet", or the error's message.
    static func note(for error: any Error) -> String {
        let text = String(describing: error)
        return text.contains(notAvailable) ? notAvailable : text
    }

    static func jsonLine(_ row: ModelRow) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(row), as: UTF8.self)
    }

    static func millions(_ value: Int?) -> String {
        value.map { String(format: "%.2f M", Double($0) / 1e6) } ?? "—"
    }

    static func giga(_ value: Int?) -> String {
        value.map { String(format: "%.2f G", Double($0) / 1e9) } ?? "—"
    }

    static func table(_ rows: [ModelRow], inputSize: Int) -> [String] {
        let width = max(12, rows.map(\.name.count).max() ?? 0)
        let header = "architecture".padding(toLength: width, withPad: " ", startingAt: 0)
            + "  " + pad("params", 10) + "  " + pad("MACs @\(inputSize)", 12)
        return [header] + rows.map { row in
            row.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad(millions(row.params), 10) + "  "
                + pad(giga(row.macs), 12) + (row.note.map { "  (\($0))" } ?? "")
        }
    }

    static func cutTable(_ architecture: Architecture, _ rows: [ModelRow], inputSize: Int, classCount: Int) -> [String] {
        let width = max(10, rows.map(\.name.count).max() ?? 0)
        let title = "\(architecture.rawValue) cut points at \(inputSize)×\(inputSize), each with a pooled linear head for \(classCount) classes:"
        let header = "cut".padding(toLength: width, withPad: " ", startingAt: 0) + "  level   " + pad("params", 10) + "  "
            + pad("MACs", 9) + "  features"
        return [title, header] + rows.map { row in
            row.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + (row.level ?? "").padding(toLength: 6, withPad: " ", startingAt: 0) + "  " + pad(millions(row.params), 10)
                + "  " + pad(giga(row.macs), 9) + "  " + (row.shape.map { $0.map(String.init).joined(separator: "×") } ?? "")
        }
    }

    /// Right-aligns `text` in `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
