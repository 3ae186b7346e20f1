// Scalpel — benchmark: `dp2-ARCH-SIZE-bBATCH`, data-parallel training in 2 processes.
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining
import Torch
import TorchNN
import TorchOptim

/// Images per second of the global batch trained by 2 processes with `threads / 2` threads each (at
/// least 1), each on half of every batch, gradients averaged over c10d/Gloo on 127.0.0.1 — the same
/// work as the `train-…` case of the same name, whose 1-process figure gives the scaling efficiency.
/// PyTorch's side is DistributedDataParallel with the gloo backend (bench/dataparallel_bench.py).
func dataParallelImagesPerSecond(_ options: Options) throws -> Double {
    let environment = ProcessInfo.processInfo.environment
    guard let rankText = environment["SCALPEL_BENCH_RANK"], let rank = Int(rankText),
          let port = environment["SCALPEL_BENCH_PORT"].flatMap(Int.init) else {
        return try launchRanks(options)
    }
    let c = options.benchCase
    let group = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2, timeoutSeconds: 120, tag: "bench")
    let model = try c.architecture().makeModel(classCount: 10)
    let step = try TrainingStep(device: .cpu, memoryFormat: options.channelsLast ? .channelsLast : .contiguous, exchange: group)
    try step.prepare(model)
    model.setMode(.training)
    let share = c.batch / 2
    let images = try step.place(Tensor.randn([share, 3, c.size, c.size]))
    let labels = try Tensor.randint(high: 10, shape: [share])
    let parameters = model.parameters()
    let optimizer = try Adam([ParameterGroup(parameters: parameters)], learningRate: 1e-3)
    let seconds = try medianSeconds(steps: options.steps, warmup: options.warmup) {
        try step(input: images, forward: { try model($0) }, loss: { try crossEntropy(logits: $0, targets: labels) },
                 samples: share, optimizer: optimizer, parameters: parameters.map(\.tensor))
    }
    try group.barrier()
    return Double(2 * share) / seconds
}

/// Starts this program twice as ranks 0 and 1 and returns rank 0's figure.
private func launchRanks(_ options: Options) throws -> Double {
    let port = Int.random(in: 40000..<50000)
    var processes: [(Process, Pipe)] = []
    for rank in 0..<2 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let index = arguments.firstIndex(of: "--threads") { arguments.removeSubrange(index...min(index + 1, arguments.count - 1)) }
        process.arguments = arguments + ["--threads", String(max(1, options.threads / 2))]
        var environment = ProcessInfo.processInfo.environment
        environment["SCALPEL_BENCH_RANK"] = String(rank)
        environment["SCALPEL_BENCH_PORT"] = String(port)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        processes.append((process, output))
    }
    let text = String(decoding: processes[0].1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    processes.forEach { $0.0.waitUntilExit() }
    guard processes.allSatisfy({ $0.0.terminationStatus == 0 }),
          let range = text.range(of: #""images_per_second": "#),
          let rate = Double(text[range.upperBound...].prefix { "0123456789.eE+-".contains($0) }) else {
        throw BenchError("dp2: a rank failed (rank 0 printed '\(text)')")
    }
    return rate
}
