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

    @Test func engineDemoLearnsTheSyntheticTask() throws {
        var configuration = EngineDemo.Configuration()
        configuration.epochs = 2
        configuration.seed = 3
        let summaries = try EngineDemo(configuration).run()
        #expect(summaries.count == 2)
        #expect(summaries[1].trainingLoss < summaries[0].trainingLoss)
        #expect(summaries[1].testAccuracy > 0.85)
    }

    @Test func engineDemoIsReproducible() throws {
        var configuration = EngineDemo.Configuration()
        configuration.epochs = 1
        configuration.trainingCount = 128
        configuration.testCount = 64
        configuration.seed = 11
        let first = try EngineDemo(configuration).run()
        let second = try EngineDemo(configuration).run()
        #expect(first[0].trainingLoss == second[0].trainingLoss)
        #expect(first[0].testAccuracy == second[0].testAccuracy)
    }
}
