// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
@testable import TorchOptim

/// The loss scaler's state survives a checkpoint: a scaler restored from it continues exactly as the
/// one that kept running, and a damaged state is refused.
struct GradientScalerStateTests {
    static let history = [true, true, false, true, true, true, false, true]
    static let more = [true, true, true, false, true]

    @Test func aRestoredScalerContinuesAsTheOriginal() throws {
        var running = try GradientScaler(initialScale: 1024, growthInterval: 3)
        for finite in Self.history { running.update(gradientsFinite: finite) }
        #expect(running.scale == 1024 * 0.5 * 2 * 0.5 && running.finiteSteps == 1 && running.skippedSteps == 2)
        // Through JSON, as the checkpoint stores it.
        let saved = try JSONDecoder().decode(GradientScaler.State.self, from: JSONEncoder().encode(running.state))
        var restored = try GradientScaler(initialScale: 1024, growthInterval: 3)
        try restored.restore(saved)
        #expect(restored == running)
        for finite in Self.more {
            running.update(gradientsFinite: finite)
            restored.update(gradientsFinite: finite)
        }
        #expect(restored == running && restored.scale == 512)
        // Without the state, a fresh scaler would be elsewhere.
        var fresh = try GradientScaler(initialScale: 1024, growthInterval: 3)
        for finite in Self.more { fresh.update(gradientsFinite: finite) }
        #expect(fresh.scale != running.scale)
    }

    @Test(arguments: [GradientScaler.State(scale: -1, finiteSteps: 0, skippedSteps: 0),
                      GradientScaler.State(scale: .nan, finiteSteps: 0, skippedSteps: 0),
                      GradientScaler.State(scale: .infinity, finiteSteps: 0, skippedSteps: 0),
                      GradientScaler.State(scale: 8, finiteSteps: 3, skippedSteps: 0),
                      GradientScaler.State(scale: 8, finiteSteps: -1, skippedSteps: 0),
                      GradientScaler.State(scale: 8, finiteSteps: 0, skippedSteps: -2)])
    func aDamagedStateIsRefused(_ state: GradientScaler.State) throws {
        var scaler = try GradientScaler(initialScale: 1024, growthInterval: 3)
        let error = #expect(throws: TorchError.self) { try scaler.restore(state) }
        #expect(error?.message.contains("loss-scaler state") == true)
        #expect(scaler.scale == 1024)   // unchanged
    }
}
