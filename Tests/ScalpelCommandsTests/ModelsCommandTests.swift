// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelModels
import Testing
import Torch
import TorchNN
@testable import ScalpelCommands

@Suite(.serialized) struct ModelsCommandTests {
    static func parse(_ arguments: [String]) throws -> ModelsCommand {
        try #require(try RootCommand.parseAsRoot(["models"] + arguments) as? ModelsCommand)
    }

    static func objects(_ lines: [String]) throws -> [[String: Any]] {
        try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func parsesOptions() throws {
        let plain = try Self.parse([])
        #expect(plain.name == nil && !plain.cuts && !plain.json && plain.inputSize == 224 && plain.classes == nil)
        let cuts = try Self.parse(["resnet50", "--cuts", "--json", "--input-size", "128", "--classes", "3"])
        #expect(cuts.name == "resnet50" && cuts.cuts && cuts.json && cuts.inputSize == 128 && cuts.classes == 3)
    }

    @Test(arguments: [
        (["resnet51"], "unknown architecture 'resnet51'. Valid: resnet18, resnet34"),
        (["--cuts"], "--cuts needs an architecture"),
        (["--input-size", "4"], "--input-size must be between 8 and 2048"),
        (["resnet50", "--classes", "0"], "--classes must be at least 1"),
    ])
    func badArgumentsAreExplained(_ arguments: [String], _ expected: String) {
        do {
            _ = try RootCommand.parseAsRoot(["models"] + arguments)
            Issue.record("\(arguments) parsed without error")
        } catch {
            let message = RootCommand.message(for: error)
            #expect(message.contains(expected), "message was: \(message)")
        }
    }

    @Test func resNet50RowHasThePublishedFigures() throws {
        let lines = try ModelCatalog().lines(for: Self.parse(["resnet50", "--json"]))
        let rows = try Self.objects(lines)
        #expect(rows.count == 1)
        #expect(rows[0]["name"] as? String == "resnet50")
        #expect(rows[0]["params"] as? Int == 25_557_032)
        #expect(rows[0]["macs"] as? Int == 4_121_925_096)  // ptflops, see ComplexityTests
        #expect(Set(rows[0].keys) == ["name", "params", "macs"])

        let text = try ModelCatalog().lines(for: Self.parse(["resnet50"]))
        #expect(text.count == 2)
        #expect(text[1].contains("25.56 M") && text[1].contains("4.12 G"))
    }

    @Test func cutRowsAsJSON() throws {
        let lines = try ModelCatalog().lines(for: Self.parse(["resnet18", "--cuts", "--json", "--input-size", "64"]))
        let rows = try Self.objects(lines)
        let model = try ResNet(.resnet18)
        #expect(rows.count == model.cutPoints.count)
        for row in rows {
            #expect(Set(row.keys) == ["name", "params", "macs", "level", "shape"])
        }
        let layer3 = try #require(rows.first { $0["name"] as? String == "layer3" && $0["level"] as? String == "block" })
        #expect(layer3["shape"] as? [Int] == [256, 4, 4])
        // The default head has 2 classes.
        #expect(layer3["params"] as? Int == (try model.truncated(at: "layer3")).parameterCount + 256 * 2 + 2)
        #expect(rows.first?["name"] as? String == "stem")

        let text = try ModelCatalog().lines(for: Self.parse(["resnet18", "--cuts", "--input-size", "64"]))
        #expect(text[0].contains("pooled linear head for 2 classes"))
        #expect(text.contains { $0.hasPrefix("layer3.1") && $0.contains("256×4×4") })
    }

    @Test func missingFamiliesAreListedWithANote() throws {
        var catalog = ModelCatalog()
        catalog.architectures = [.resnet18, .densenet121]
        catalog.makeModel = { architecture, classes in
            guard architecture.family == .resnet else {
                throw ArchitectureError("\(architecture.rawValue) is not available in this build yet")
            }
            return try architecture.makeModel(classCount: classes)
        }
        let rows = try Self.objects(catalog.lines(for: Self.parse(["--json", "--input-size", "32"])))
        #expect(rows.map { $0["name"] as? String } == ["resnet18", "densenet121"])
        #expect(rows[0]["params"] as? Int == 11_689_512)
        #expect(rows[0]["macs"] as? Int == 37_689_832)  // ptflops at 32×32
        #expect(rows[1]["params"] is NSNull && rows[1]["macs"] is NSNull)
        #expect(rows[1]["note"] as? String == "not available in this build yet")

        let text = try catalog.lines(for: Self.parse(["--input-size", "32"]))
        #expect(text.count == 3 && text[2].contains("(not available in this build yet)"))

        let error = #expect(throws: CommandError.self) {
            _ = try catalog.lines(for: Self.parse(["densenet121", "--cuts"]))
        }
        #expect(error?.description == "densenet121: not available in this build yet")
    }

    /// A stand-in backbone that needs inputs of at least 16×16 (one 16×16 max-pool).
    final class NeedsSixteen: Backbone {
        let pool: MaxPool2d
        let architecture = Architecture.vgg11
        let featureLinks: [FeatureLink]
        let cutPoints: [CutPoint]
        let featureCount = 3
        let classCount = 0

        init() {
            let pool = MaxPool2d(kernelSize: 16)
            self.pool = pool
            var chain = FeatureChainBuilder(inputChannels: 3)
            chain.append("pool", pool, stride: 16, cut: .block)
            featureLinks = chain.links
            cutPoints = chain.cutPoints
        }

        var namedChildren: [(String, any Module)] { [("pool", pool)] }
        func forwardHead(_ features: Tensor, preLogits: Bool) throws -> Tensor { try features.flattened(from: 1) }
        func resetClassifier(classCount: Int, generator: Generator?) throws {}
    }

    @Test func tooSmallInputIsRejectedClearly() throws {
        var catalog = ModelCatalog()
        catalog.architectures = [.vgg11]
        catalog.makeModel = { _, _ in NeedsSixteen() }
        let error = #expect(throws: CommandError.self) {
            _ = try catalog.lines(for: Self.parse(["vgg11", "--input-size", "8"]))
        }
        #expect(error?.description.hasPrefix("vgg11: cannot take a 8×8 input") == true, "\(String(describing: error))")
        let cutError = #expect(throws: CommandError.self) {
            _ = try catalog.lines(for: Self.parse(["vgg11", "--input-size", "8", "--cuts"]))
        }
        #expect(cutError?.description.hasPrefix("vgg11: cannot take a 8×8 input") == true)
        // In the listing the row carries the reason instead, and a size it can take works.
        let row = catalog.row(.vgg11, inputSize: 8, classCount: 1000)
        #expect(row.params == nil && row.note?.hasPrefix("cannot take a 8×8 input") == true)
        #expect(catalog.row(.vgg11, inputSize: 32, classCount: 1000).macs == 3 * 32 * 32)
    }
}
