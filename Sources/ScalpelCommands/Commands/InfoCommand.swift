// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Torch

/// `scalpel info`: what this build runs on.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the libtorch version, threads and available devices.")

    func run() throws {
        print("Scalpel \(ScalpelVersion.current)")
        print("libtorch \(TorchRuntime.version)")
        print("threads \(TorchRuntime.threadCount)")
        let cuda = Device.isCUDAAvailable
            ? "\(Device.cudaDeviceCount) device(s)"
            : (Device.isCUDALinked ? "linked, no GPU visible" : "not linked (scripts/setup --cuda on a GPU machine)")
        print("cuda \(cuda)")
    }
}
