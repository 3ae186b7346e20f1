// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Testing
import Torch
import TorchNN
import TorchOptim
@testable import ScalpelTraining

@Suite(.serialized)
struct TrainingStepTests {
    @Test func bf16TrainingStaysCloseToFP32AndKeepsWeightsAndOptimizerStateFP32() throws {
        func train(_ precision: Precision) throws -> (losses: [Double], model: TinyNet, optimizer: Adam) {
            let model = try TinyNet(seed: 5)
            let step = try TrainingStep(device: .cpu, memoryFormat: .channelsLast, precision: precision)
            try step.prepare(model)
            let parameters = model.parameters()
            let optimizer = try Adam([ParameterGroup(parameters: parameters)], learningRate: 1e-2)
            let loader = try DataLoader(dataset: SyntheticRadiographs(count: 32, size: 16, seed: 3),
                                        transform: Normalize(mean: [0.5], std: [0.5]), batchSize: 16, shuffle: true, seed: 1)
            var losses: [Double] = []
            for epoch in 0..<4 {
                var batches = loader.batches(epoch: epoch)
                while let batch = try batches.next() {
                let outcome = try step(input: step.place(batch.images), forward: { try model($0) },
                                       loss: { try crossEntropy(logits: $0, targets: batch.targets) }, samples: batch.count,
                                       optimizer: optimizer, parameters: parameters.map(\.tensor), clipNorm: 5)
                #expect(outcome.applied)
                losses.append(outcome.loss)
                }
            }
            return (losses, model, optimizer)
        }
        let fp32 = try train(.fp32)
        let bf16 = try train(.bf16)
        #expect(bf16.losses != fp32.losses, "autocast must change the arithmetic")
        for (a, b) in zip(fp32.losses, bf16.losses) {
            #expect(abs(a - b) < 0.05 * max(1, abs(a)), "bf16 loss \(b) far from fp32 \(a)")
        }
        #expect(bf16.losses.last! < bf16.losses.first!, "bf16 training must learn: \(bf16.losses)")
        #expect(bf16.model.namedTensors().allSatisfy { $0.tensor.dtype != .bfloat16 && $0.tensor.dtype != .float16 })
        #expect(bf16.model.parameters().allSatisfy { $0.tensor.dtype == .float32 })
        let state = try bf16.optimizer.stateDict().tensors
        #expect(!state.entries.isEmpty)
        #expect(state.entries.allSatisfy { $0.tensor.dtype == .float32 || $0.tensor.dtype == .int64 })
    }

    @Test func nonFiniteLossStopsBeforeAnyUpdate() throws {
        let model = try TinyNet(seed: 5)
        let step = try TrainingStep(device: .cpu)
        try step.prepare(model)
        let before = try model.parameters().map { try $0.tensor.hostBytes() }
        let optimizer = try SGD([ParameterGroup(parameters: model.parameters())], learningRate: 0.1)
        let input = try Tensor.randn([4, 1, 16, 16], generator: Generator(seed: 1))
        #expect(throws: TrainingStep.NonFiniteLoss.self) {
            try step(input: input, forward: { try model($0) }, loss: { try $0.sum() * Double.nan },
                     optimizer: optimizer, parameters: model.parameters().map(\.tensor))
        }
        #expect(try model.parameters().map { try $0.tensor.hostBytes() } == before)
    }

    @Test func fp16OnTheCPUAndMissingCUDAAreClearErrors() throws {
        #expect(throws: TorchError.self) { try TrainingStep(device: .cpu, precision: .fp16) }
        var configuration = TrainerTests.configuration(epochs: 1)
        configuration.precision = .fp16
        let error = #expect(throws: TrainingError.self) { try configuration.validate() }
        #expect(error?.description.contains("bf16") == true)
        if !Device.isCUDAAvailable {
            print("notice: no CUDA device here; CUDA training step not run (checked on a GPU machine)")
            let cuda = #expect(throws: TorchError.self) { try TrainingStep(device: .cuda(0)) }
            #expect(cuda?.message.contains("CUDA is not available") == true)
        }
    }

    @Test func trainerRunsInBF16() throws {
        let folder = TrainerTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = TrainerTests.configuration(epochs: 2)
        configuration.precision = .bf16
        let result = try TrainerTests.train(folder, configuration: configuration)
        #expect(result.history.count == 2)
        #expect(result.history.allSatisfy { $0.trainingLoss.isFinite })
        #expect((result.test.metrics["auroc"]?.value ?? 0) > 0.7)
    }
}
