// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import ScalpelData
import ScalpelModels
import ScalpelTraining
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
                      SearchCommand.self, StrategiesCommand.self,
                      InfoCommand.self,
                      ModelsCommand.self])

    public init() {}

    /// Parses `arguments`, runs the command and exits; errors become one-line messages and exit code 1.
    public static func runMain(_ arguments: [String]? = nil) {
        do {
            let given = arguments ?? Array(CommandLine.arguments.dropFirst())
            var command = try parseAsRoot(try ConfigFile.merge(given))
            try command.run()
        } catch let error as TorchError {
            exitWithMessage("error: \(error)")
        } catch let error as SerializationError {
            exitWithMessage("error: \(error)")
        } catch let error as CommandError {
            exitWithMessage("error: \(error)")
        } catch let error as TrainingError {
            exitWithMessage("error: \(error)")
        } catch let error as DataSourceError {
            exitWithMessage("error: \(error)")
        } catch let error as DatasetError {
            exitWithMessage("error: \(error)")
        } catch let error as ImageDecodingError {
            exitWithMessage("error: \(error)")
        } catch let error as DataLoaderError {
            exitWithMessage("error: \(error)")
        } catch let error as MedMNISTStoreError {
            exitWithMessage("error: \(error)")
        } catch let error as WeightStoreError {
            exitWithMessage("error: \(error)")
        } catch {
            exit(withError: error)
        }
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
public struct CommandError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.standardError(string)
    }
}
