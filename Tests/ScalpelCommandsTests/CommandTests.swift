// Scalpel — ScalpelCommandsTests
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Testing
import Torch
@testable import ScalpelCommands

@Suite struct CommandTests {
    @Test func versionIsReported() {
        #expect(RootCommand.configuration.version == ScalpelVersion.current)
        #expect(RootCommand.configuration.commandName == "scalpel")
    }

    @Test func subcommandsParse() throws {
        #expect(try RootCommand.parseAsRoot(["info"]) is InfoCommand)
        let demo = try #require(try RootCommand.parseAsRoot(["demo", "--epochs", "2", "--seed", "7"]) as? DemoCommand)
        #expect(demo.epochs == 2)
        #expect(demo.runtime.seed == 7)
    }

    @Test(arguments: [
        (["demo", "--epochs", "0"], "--epochs must be at least 1"),
        (["demo", "--device", "tpu"], "unknown device 'tpu'"),
        (["demo", "--threads", "0"], "--threads must be at least 1"),
    ])
    func badOptionsAreExplained(_ arguments: [String], _ expected: String) {
        do {
            _ = try RootCommand.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed without error")
        } catch {
            let message = RootCommand.message(for: error)
            #expect(message.contains(expected), "message was: \(message)")
        }
    }

    @Test func cudaOnAMachineWithoutItFailsBeforeAnyWork() throws {
        guard !Device.isCUDAAvailable else { return }
        let demo = try #require(try RootCommand.parseAsRoot(["demo", "--device", "cuda:0"]) as? DemoCommand)
        let error = #expect(throws: TorchError.self) { _ = try demo.runtime.configure() }
        #expect(error?.message.contains("CUDA is not available") == true)
    }
}
