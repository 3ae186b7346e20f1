// Scalpel — benchmark: the Swift side of bench/run (see bench/README.md).
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import TorchNN
import TorchOptim

/// Cases: name → (image size, batch). The same as bench/pytorch_bench.py.
let cases: [String: (size: Int, batch: Int)] = [
    "train-resnet18-224-b32": (224, 32),
    "train-resnet18-28-b64": (28, 64),
]

struct Arguments {
    var caseName = ""
    var steps = 5
    var warmup = 2
    var threads = 2
    var channelsLast = true

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--steps": steps = Int(iterator.next() ?? "") ?? steps
            case "--warmup": warmup = Int(iterator.next() ?? "") ?? warmup
            case "--threads": threads = Int(iterator.next() ?? "") ?? threads
            case "--layout": channelsLast = iterator.next() != "contiguous"
            default: caseName = argument
            }
        }
        guard cases[caseName] != nil else {
            throw CommandLineError("unknown case '\(caseName)'; cases: \(cases.keys.sorted().joined(separator: ", "))")
        }
    }
}

struct CommandLineError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Converts every 4-D parameter and buffer to channels-last memory order in place.
func useChannelsLast(_ module: any Module) throws {
    for (_, tensor) in module.namedTensors() where tensor.rank == 4 {
        try tensor.setData(tensor.contiguous(.channelsLast))
    }
}

func trainingRate(_ arguments: Arguments) throws -> Double {
    let (size, batch) = cases[arguments.caseName]!
    try TorchRuntime.configure(seed: 0, threads: arguments.threads)
    let model = try ResNet18(classCount: 10)
    model.setMode(.training)
    var images = try Tensor.randn([batch, 3, size, size])
    let labels = try Tensor.randint(high: 10, shape: [batch])
    if arguments.channelsLast {
        try useChannelsLast(model)
        images = try images.channelsLast()
    }
    let optimizer = try Adam([ParameterGroup(parameters: model.parameters())], learningRate: 1e-3)
    var times: [Double] = []
    for step in 0 ..< arguments.warmup + arguments.steps {
        let start = DispatchTime.now().uptimeNanoseconds
        try optimizer.zeroGradients()
        let loss = try crossEntropy(logits: model(images), targets: labels)
        try loss.backward()
        try optimizer.step()
        if step >= arguments.warmup {
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }
    times.sort()
    return Double(batch) / times[times.count / 2]
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    let rate = try trainingRate(arguments)
    let layout = arguments.channelsLast ? "channels-last" : "contiguous"
    print("{\"case\": \"\(arguments.caseName)\", \"images_per_second\": \(rate), \"layout\": \"\(layout)\", "
          + "\"torch\": \"\(TorchRuntime.version)\", \"threads\": \(TorchRuntime.threadCount)}")
} catch {
    FileHandle.standardError.write(Data("scalpel-bench: \(error)\n".utf8))
    exit(1)
}
