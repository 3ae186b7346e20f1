// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization
import ScalpelData
import Testing
import Torch
import TorchNN
import TorchOptim
@testable import ScalpelTraining

/// Runs `body(rank)` for every rank on its own thread (each rank a separate c10d member, as separate
/// processes would be) and returns the results in rank order.
final class RankResults<T>: @unchecked Sendable {
    var results: [Result<T, any Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
}

func runRanks<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
    let box = RankResults<T>(count: count)
    let lock = NSLock()
    let done = DispatchSemaphore(value: 0)
    for rank in 0..<count {
        let thread = Thread {
            let result = Result { try body(rank) }
            lock.lock()
            box.results[rank] = result
            lock.unlock()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    for _ in 0..<count { done.wait() }
    return box.results.map { $0! }
}

/// A TCP port nothing listens on now.
func freeLocalPort() -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 ? getsockname(socket, $0, &length) : -1 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A two-layer perceptron without BatchNorm, so that data-parallel and single-process training compute
/// the same function of the same global batch.
final class SmallMLP: Layer {
    let hidden: Linear
    let output: Linear
    init(seed: UInt64) throws {
        let generator = try Generator(seed: seed)
        hidden = try Linear(inputFeatures: 6, outputFeatures: 5, generator: generator)
        output = try Linear(inputFeatures: 5, outputFeatures: 3, generator: generator)
    }
    var namedChildren: [(String, any Module)] { [("hidden", hidden), ("output", output)] }
    func callAsFunction(_ input: Tensor) throws -> Tensor { try output(hidden(input).relu()) }
}

@Suite(.serialized, .timeLimit(.minutes(3)))
struct DataParallelTests {

    /// K = 5 SGD steps with momentum over global batches of 8 rows; rank r of `world` takes rows
    /// [r·8/world, (r+1)·8/world) of each.
    static func train(rank: Int, world: Int, group: ProcessGroup?, seed: UInt64) throws -> [[Float]] {
        let model = try SmallMLP(seed: seed)
        let step = try TrainingStep(device: .cpu, exchange: group)
        try step.prepare(model)
        let parameters = model.parameters()
        let optimizer = try SGD([ParameterGroup(parameters: parameters)], learningRate: 0.1, momentum: 0.9)
        let inputs = try Tensor.randn([40, 6], generator: Generator(seed: 11))
        let targets = try Tensor((0..<40).map { Int64($0 % 3) }, shape: [40])
        for batch in 0..<5 {
            let start = batch * 8 + rank * 8 / world, end = batch * 8 + (rank + 1) * 8 / world
            let input = try inputs.slice(axis: 0, start: start, end: end)
            let target = try targets.slice(axis: 0, start: start, end: end)
            try step(input: input, forward: { try model($0) }, loss: { try crossEntropy(logits: $0, targets: target) },
                     samples: end - start, optimizer: optimizer, parameters: parameters.map(\.tensor), clipNorm: 1)
        }
        return try parameters.map { try $0.tensor.hostArray(of: Float.self) }
    }

    @Test func twoProcessesMatchOneWithTheSameGlobalBatch() throws {
        let single = try Self.train(rank: 0, world: 1, group: nil, seed: 1)
        let port = freeLocalPort()
        // Different seeds: rank 1's own initial weights must be replaced by rank 0's broadcast.
        let ranks = runRanks(2) { rank in
            let group = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2, timeoutSeconds: 60, tag: "test")
            return try Self.train(rank: rank, world: 2, group: group, seed: rank == 0 ? 1 : 99)
        }
        let zero = try ranks[0].get(), one = try ranks[1].get()
        #expect(zero == one, "ranks must hold bit-identical weights")
        let largest = zip(single.joined(), zero.joined()).map { abs($0 - $1) }.max()!
        // Tolerance: float32 rounding of the weighted gradient average (sum of halves vs mean of all).
        #expect(largest < 1e-5, "2 processes differ from 1 by \(largest)")
        #expect(zip(single.joined(), zero.joined()).contains { $0 != $1 } || largest == 0)
        print("2 ranks vs 1 process after 5 steps: largest weight difference \(largest); ProcessGroupGloo wrote \(ProcessGroup.glooStorageBytesTouched) of 65536 bytes")
        #expect(ProcessGroup.glooStorageBytesTouched > 0)
        #expect(ProcessGroup.glooStorageBytesTouched <= 64 * 1024 / 8,
                "ProcessGroupGloo wrote \(ProcessGroup.glooStorageBytesTouched) bytes: enlarge its storage in distributed.cpp")
    }

    @Test func aLostRankStopsTheOthersWithAnErrorNotAHang() throws {
        let port = freeLocalPort()
        let started = Date()
        let ranks = runRanks(2) { rank -> Bool in
            var group: ProcessGroup? = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2,
                                                        timeoutSeconds: 30, tag: "test")
            let tensor = try Tensor([Float(rank + 1)], shape: [1])
            try group!.allReduceSum([tensor])
            #expect(try tensor.item() == 3)
            if rank == 1 {
                group = nil  // this rank "dies": its connections close
                return true
            }
            Thread.sleep(forTimeInterval: 0.5)
            try group!.allReduceSum([tensor])
            return false
        }
        let error = #expect(throws: TorchError.self) { try ranks[0].get() }
        #expect(error != nil)
        #expect(Date().timeIntervalSince(started) < 25, "the lost peer must be noticed before the timeout")
    }

    @Test func unreachableRendezvousTimesOutNamingTheAddress() throws {
        let port = freeLocalPort()
        let started = Date()
        let error = #expect(throws: TorchError.self) {
            try ProcessGroup(host: "127.0.0.1", port: port, rank: 1, worldSize: 2, timeoutSeconds: 2, tag: "test")
        }
        #expect(error?.message.contains("127.0.0.1:\(port)") == true, "\(String(describing: error))")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func ranksOfDifferentVersionsRefuseToTrainTogether() throws {
        let port = freeLocalPort()
        let ranks = runRanks(2) { rank in
            _ = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2, timeoutSeconds: 20,
                                 tag: rank == 0 ? "scalpel 1.0" : "scalpel 2.0")
        }
        for result in ranks {
            let error = #expect(throws: TorchError.self) { try result.get() }
            #expect(error?.message.contains("same scalpel build") == true, "\(String(describing: error))")
        }
    }

    @Test func trainerInTwoProcessesWritesOnlyFromRankZeroAndKeepsRanksIdentical() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try RunFolder.prepare(folder, resume: false, force: false)
        let port = freeLocalPort()
        let ranks = runRanks(2) { rank -> (TrainingResult, [[UInt8]]) in
            let group = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2, timeoutSeconds: 60, tag: "test")
            let model = try TinyNet(seed: UInt64(7 + rank))
            let trainer = try Trainer(model: model, splits: TrainerTests.splits(),
                                      trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                      evaluationTransform: Normalize(mean: [0.5], std: [0.5]),
                                      configuration: TrainerTests.configuration(epochs: 2), folder: RunFolder(folder))
            trainer.exchange = group
            trainer.writesRunFolder = rank == 0
            let result = try trainer.run(resume: false)
            try group.barrier()
            return (result, try model.namedTensors().map { try $0.tensor.hostBytes() })
        }
        let zero = try ranks[0].get(), one = try ranks[1].get()
        #expect(zero.1 == one.1, "parameters and BatchNorm statistics must agree across ranks")
        #expect(zero.0.history.map(\.trainingLoss) == one.0.history.map(\.trainingLoss))
        #expect(zero.0.test == one.0.test)
        #expect(zero.0.testPredictions.count == 24, "metrics cover the whole test set")
        #expect(RunFolder(folder).isFinished)
        let log = try String(contentsOf: RunFolder(folder).logURL, encoding: .utf8)
        #expect(log.components(separatedBy: "finished: test").count == 2, "only rank 0 logs")
    }

    @Test func aStopRequestToOneRankStopsBothAtTheEpochEnd() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try RunFolder.prepare(folder, resume: false, force: false)
        let port = freeLocalPort()
        let ranks = runRanks(2) { rank -> Int in
            let group = try ProcessGroup(host: "127.0.0.1", port: port, rank: rank, worldSize: 2, timeoutSeconds: 60, tag: "stop")
            let trainer = try Trainer(model: try TinyNet(seed: 7), splits: TrainerTests.splits(),
                                      trainTransform: Normalize(mean: [0.5], std: [0.5]),
                                      evaluationTransform: Normalize(mean: [0.5], std: [0.5]),
                                      configuration: TrainerTests.configuration(epochs: 3), folder: RunFolder(folder))
            trainer.exchange = group
            trainer.writesRunFolder = rank == 0
            // Only rank 1 hears SIGINT, during its first batch.
            let heard = Mutex(false)
            trainer.interruptionRequest = { heard.withLock { $0 } ? SIGINT : nil }
            trainer.observer = { event in
                if rank == 1, case .batchFinished(1, _, 1, _, _, _, _) = event { heard.withLock { $0 = true } }
            }
            do {
                _ = try trainer.run(resume: false)
                return 0
            } catch let error as TrainingError {
                return Int(error.interruptionSignal ?? -1)
            }
        }
        #expect(try ranks.map { try $0.get() } == [Int(SIGTERM), Int(SIGINT)], "both ranks stop, neither waits forever")
        #expect(try Checkpoint.load(from: RunFolder(folder).lastCheckpointURL).state.completedEpochs == 1)
    }

    @Test func rendezvousFromFlagsTorchrunAndSlurm() throws {
        #expect(try Rendezvous.resolve(rank: nil, worldSize: nil, address: nil, environment: [:]) == nil)
        #expect(try Rendezvous.resolve(rank: 1, worldSize: 4, address: "node7:29501", environment: [:])
            == Rendezvous(rank: 1, worldSize: 4, localRank: 1, host: "node7", port: 29501))
        let torchrun = ["RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "MASTER_ADDR": "10.0.0.2", "MASTER_PORT": "29500"]
        #expect(try Rendezvous.resolve(rank: nil, worldSize: nil, address: nil, environment: torchrun)
            == Rendezvous(rank: 3, worldSize: 4, localRank: 1, host: "10.0.0.2", port: 29500))
        let slurm = ["SLURM_PROCID": "2", "SLURM_NTASKS": "8", "SLURM_LOCALID": "0", "SLURM_JOB_ID": "123456",
                     "SLURM_JOB_NODELIST": "gpu[03-05,9],cpu1"]
        #expect(try Rendezvous.resolve(rank: nil, worldSize: nil, address: nil, environment: slurm)
            == Rendezvous(rank: 2, worldSize: 8, localRank: 0, host: "gpu03", port: 20000 + 123456 % 40000))
        #expect(Rendezvous.firstHost("node1,node2") == "node1")
        #expect(throws: TrainingError.self) { try Rendezvous.resolve(rank: 2, worldSize: 2, address: "h:1", environment: [:]) }
        #expect(throws: TrainingError.self) { try Rendezvous.resolve(rank: 0, worldSize: 2, address: nil, environment: [:]) }
        #expect(throws: TrainingError.self) { try Rendezvous.resolve(rank: 0, worldSize: 2, address: "nohostport", environment: [:]) }
        #expect(throws: TrainingError.self) {
            try Rendezvous.resolve(rank: nil, worldSize: nil, address: nil, environment: ["RANK": "x", "WORLD_SIZE": "2"])
        }
    }
}
