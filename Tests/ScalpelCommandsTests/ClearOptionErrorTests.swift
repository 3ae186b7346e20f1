// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Testing
import ScalpelExperiments
import Torch
@testable import ScalpelCommands

/// Command-line and config-file mistakes of issue 14, each answered with the cause and the fix.
@Suite struct ClearOptionErrorTests {
    func message(_ arguments: [String]) -> String {
        do {
            _ = try RootCommand.parseAsRoot(RootCommand.joiningNegativeNumbers(arguments))
            Issue.record("\(arguments) parsed without error")
            return ""
        } catch {
            return RootCommand.message(for: error)
        }
    }

    @Test func negativeNumbersReachTheOptionsOwnCheck() throws {
        #expect(RootCommand.joiningNegativeNumbers(["demo", "--epochs", "-3", "--quiet"]) == ["demo", "--epochs=-3", "--quiet"])
        #expect(RootCommand.joiningNegativeNumbers(["--lr", "-1e-3"]) == ["--lr=-1e-3"])
        #expect(RootCommand.joiningNegativeNumbers(["--seeds", "-1,2"]) == ["--seeds", "-1,2"])
        let text = message(["demo", "--epochs", "-3"])
        #expect(text.contains("--epochs must be at least 1"), "\(text)")
    }

    @Test func repeatedSeedsAreRefused() throws {
        #expect(throws: ValidationError.self) { _ = try parseSeeds("0,0") }
        #expect(try parseSeeds("0, 1,2") == [0, 1, 2])
    }

    @Test func threadCountsBeyondTheCoresAreRefused() throws {
        let demo = try #require(try RootCommand.parseAsRoot(["demo", "--threads", "100000"]) as? DemoCommand)
        let error = #expect(throws: TorchError.self) { _ = try demo.runtime.configure() }
        #expect(error?.message.contains("at most") == true, "\(String(describing: error))")
    }

    @Test func configFilesAreBoundedAndNamedWithoutBeingEchoed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-config-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let deep = folder.appendingPathComponent("deep.yaml")
        try Data(("epochs: " + String(repeating: "[", count: 10_000)).utf8).write(to: deep)
        let nested = #expect(throws: CommandError.self) { _ = try ConfigFile.read(deep) }
        #expect(nested?.description.contains("deep.yaml") == true && nested?.description.contains("brackets") == true)
        #expect((nested?.description.count ?? 0) < 400)
        let laughs = folder.appendingPathComponent("laughs.yaml")
        try Data("a: &a [x, x]\nb: [*a, *a]\n".utf8).write(to: laughs)
        let alias = #expect(throws: CommandError.self) { _ = try ConfigFile.read(laughs) }
        #expect(alias?.description.contains("alias") == true)
        let broken = folder.appendingPathComponent("broken.yaml")
        try Data(("epochs: 5\nlr: [" + String(repeating: "x", count: 100_000) + "\n").utf8).write(to: broken)
        let invalid = #expect(throws: CommandError.self) { _ = try ConfigFile.read(broken) }
        #expect(invalid?.description.contains("broken.yaml") == true)
        #expect((invalid?.description.count ?? 0) < 400, "the file is never echoed: \(invalid?.description.count ?? 0) characters")
        #expect(try ConfigFile.read(writeConfig(folder, "epochs: 5\nseeds: [0, 1]\n")).count == 2)
    }

    func writeConfig(_ folder: URL, _ text: String) throws -> URL {
        let url = folder.appendingPathComponent("ok.yaml")
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// A tampered model description (issue 14) is refused before predict uses it.
@Suite struct ModelCardBoundsTests {
    @Test func absurdSizesAndClassCountsAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-card-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = ModelCard(architecture: "resnet18", task: .binary, classNames: ["a", "b"], inputChannels: 3, imageSize: 224)
        try good.write(to: folder)
        #expect(try ModelCard.read(from: folder) == good)
        for card in [ModelCard(architecture: "resnet18", task: .binary, classNames: ["a", "b"], inputChannels: 3, imageSize: 1 << 30),
                     ModelCard(architecture: "resnet18", task: .multiClass, classNames: (0 ..< 1_000_000).map(String.init),
                               inputChannels: 3, imageSize: 224),
                     ModelCard(architecture: "resnet18", task: .binary, classNames: ["a", "b"], inputChannels: 7, imageSize: 224)] {
            try card.write(to: folder)
            let error = #expect(throws: ExperimentError.self) { _ = try ModelCard.read(from: folder) }
            #expect(error?.description.contains("model.json") == true && error?.description.contains("damaged") == true,
                    "\(String(describing: error))")
        }
    }
}

/// The split report's warnings reach the user (issue 14: a patient in two splits was computed, never shown).
@Suite struct SplitWarningTests {
    @Test func aPatientInTwoSplitsIsWarnedAbout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-patients-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rows = ["path,label,split,patient"]
        for index in 0 ..< 12 {
            let name = "\(index).png"
            FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
            let split = ["train", "val", "test"][index % 3]
            rows.append("\(name),\(index % 2),\(split),\(index < 2 ? "p0" : "p\(index)")")
        }
        let csv = folder.appendingPathComponent("manifest.csv")
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: csv)
        let options = try DataOptions.parse(["--data", csv.path, "--split-column", "split", "--patient-column", "patient"])
        var warnings: [String] = []
        _ = try options.specification(splitSeed: 0).loadSplits(warn: { warnings.append($0) })
        #expect(warnings.contains { $0.contains("patient 'p0'") && $0.contains("train and validation") }, "\(warnings)")
    }
}

/// libtorch's allocation failure outside training: one line with the advice, not a crash (issue 14).
@Suite struct OutOfMemoryMessageTests {
    @Test func anAllocationFailureSaysWhatToMakeSmaller() throws {
        let error = #expect(throws: TorchError.self) { _ = try Tensor.empty([1 << 44]) }
        let message = RootCommand.message(for: try #require(error))
        #expect(message.hasPrefix("out of memory in ") && message.contains("tried to allocate") && message.contains("--batch-size"),
                "\(message)")
        #expect(RootCommand.message(for: CommandError("x")) == "x")
    }
}
