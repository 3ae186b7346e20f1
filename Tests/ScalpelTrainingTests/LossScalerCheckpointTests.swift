// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchNN
import TorchOptim
@testable import ScalpelTraining

/// The fp16 loss scaler's state is part of the last checkpoint (fp16 needs CUDA, so the trainer's
/// round trip is checked through the checkpoint and the step it feeds).
struct LossScalerCheckpointTests {
    @Test func theScalerStateRoundTripsThroughTheCheckpoint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-scaler-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Linear(inputFeatures: 3, outputFeatures: 2, generator: try Generator(seed: 1))
        var state = TrainerState()
        state.completedEpochs = 4
        state.lossScaler = GradientScaler.State(scale: 2048, finiteSteps: 17, skippedSteps: 3)
        let url = folder.appendingPathComponent("last.safetensors")
        try Checkpoint.save(to: url, model: model, optimizer: nil, state: state)
        #expect(try Checkpoint.load(from: url).state == state)
        // fp32 and bf16 runs save none.
        state.lossScaler = nil
        try Checkpoint.save(to: url, model: model, optimizer: nil, state: state)
        #expect(try Checkpoint.load(from: url).state.lossScaler == nil)
    }

    @Test func aCheckpointWrittenBeforeTheFieldHasNoScalerState() throws {
        var state = TrainerState()
        state.completedEpochs = 2
        let json = try #require(String(data: try JSONEncoder().encode(state), encoding: .utf8))
        #expect(!json.contains("lossScaler"))
        let old = try JSONDecoder().decode(TrainerState.self, from: Data(json.utf8))
        #expect(old.lossScaler == nil && old.completedEpochs == 2)
    }

    @Test func aStepWithoutAScalerIgnoresASavedState() throws {
        let step = try TrainingStep(device: .cpu, precision: .fp32)
        try step.restoreLossScaler(GradientScaler.State(scale: 2048, finiteSteps: 1, skippedSteps: 0))
        #expect(step.scaler == nil)
        let bf16 = try TrainingStep(device: .cpu, precision: .bf16)
        try bf16.restoreLossScaler(nil)
        #expect(bf16.scaler == nil)
    }
}
