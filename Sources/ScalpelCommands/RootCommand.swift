// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ScalpelAnalysis
import ScalpelAttacks
import ScalpelData
import ScalpelExperiments
import ScalpelModels
import ScalpelTraining
import ScalpelMetrics
import ScalpelReport
import TorchNN
import Torch

/// The `scalpel` command: transfer learning for medical image classification.
public struct RootCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "scalpel",
        abstract: "Transfer learning for medical image classification, on libtorch.",
        discussion: """
            Adapt a CNN pretrained on natural images to a medical task with any published fine-tuning \
            strategy, and measure what you got.
            """,
        version: ScalpelVersion.current,
        subcommands: [DemoCommand.self, TrainCommand.self, EvaluateCommand.self, PredictCommand.self, CompareCommand.self,
                      SearchCommand.self, SweepCommand.self, RunsCommand.self, StrategiesCommand.self, AnalyzeCommand.self, ReportCommand.self,
                      AttackCommand.self,
                      InfoCommand.self,
                      ModelsCommand.self, ExplainCommand.self])

    public init() {}

    /// Parses `arguments`, runs the command and exits; errors become one-line messages and exit code 1.
    public static func runMain(_ arguments: [String]? = nil) {
        do {
            let given = arguments ?? Array(CommandLine.arguments.dropFirst())
            var command = try parseAsRoot(joiningNegativeNumbers(try ConfigFile.merge(given)))
            try command.run()
        } catch let error as TrainingError where error.interruptionSignal != nil {
            // Stopped at a safe point by SIGINT/SIGTERM: 128 + the signal, as a shell reports it.
            var standardError = StandardError()
            print("\(error)", to: &standardError)
            Self.exit(withError: ExitCode(Interruption.exitStatus(for: error.interruptionSignal!)))
        } catch where isUserFacing(error) {
            exitWithMessage("error: \(message(for: error))")
        } catch {
            exit(withError: error)
        }
    }

    /// `--epochs -3` → `--epochs=-3`: the argument parser would take `-3` for an option and answer "Missing
    /// value for '--epochs'"; joined, the value reaches the option's own check, which names the range.
    static func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
               arguments[index + 1].range(of: "^-[0-9.]", options: .regularExpression) != nil,
               Double(arguments[index + 1]) != nil {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
            } else {
                result.append(argument)
                index += 1
            }
        }
        return result
    }

    /// Scalpel's own errors, whose descriptions already say what is wrong and how to fix it (the
    /// argument parser's errors keep its usage output).
    static func isUserFacing(_ error: any Error) -> Bool {
        error is any UserFacingError
    }

    /// The one-line message of a user-facing error; libtorch's allocation failures (outside training,
    /// which names its own activity) get the advice to make the work smaller.
    static func message(for error: any Error) -> String {
        guard let error = error as? TorchError, error.kind == .outOfMemory else { return "\(error)" }
        return "out of memory in \(error.operation): \(error.message); try a smaller --batch-size or --image-size, or close other programs"
    }

    static func exitWithMessage(_ message: String) -> Never {
        var standardError = StandardError()
        print(message, to: &standardError)
        Self.exit(withError: ExitCode.failure)
    }
}

/// Scalpel's version, printed by `scalpel --version`.
public enum ScalpelVersion {
    public static let current = "0.1.0"
}

/// A command-line problem the user can fix: the message says what was wrong and what to do.
public struct CommandError: UserFacingError, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.standardError(string)
    }
}
