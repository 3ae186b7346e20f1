// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Torch

/// `scalpel demo`: the README's first command. For now an engine smoke run on synthetic images.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the main job on an embedded default (currently: an engine smoke run on synthetic images).")

    @OptionGroup var runtime: RuntimeOptions

    @Option(help: "Training epochs.")
    var epochs: Int = 4

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
    }

    func run() throws {
        let device = try runtime.configure()
        var configuration = EngineDemo.Configuration()
        configuration.device = device
        configuration.seed = runtime.seed
        configuration.epochs = epochs
        print("Scalpel \(ScalpelVersion.current) on libtorch \(TorchRuntime.version), \(device), \(TorchRuntime.threadCount) threads")
        print("Engine smoke run: a small CNN on SYNTHETIC 32×32 images (a large or a small bright disc).")
        print("epoch  train loss  test accuracy  img/s")
        let summaries = try EngineDemo(configuration).run { summary in
            print(String(format: "%5d  %10.4f  %13.3f  %5.0f", summary.epoch, summary.trainingLoss,
                         summary.testAccuracy, summary.imagesPerSecond))
        }
        let last = summaries.last!
        print(last.testAccuracy >= 0.9
              ? "The engine trains: test accuracy \(String(format: "%.3f", last.testAccuracy))."
              : "Warning: test accuracy only \(String(format: "%.3f", last.testAccuracy)); the engine may be broken.")
    }
}
