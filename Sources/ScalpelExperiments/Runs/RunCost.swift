// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import ScalpelTraining
import Torch

/// What a specification's network costs: parameters (all, and those that train in some phase), MACs
/// per image and batch-1 latency.
public struct RunCost: Sendable {
    public var parameters: Int
    /// Parameters that train in at least one phase.
    public var trainableParameters: Int
    public var macs: Int
    public var latencyMilliseconds: Double

    /// Measures `specification`'s network (random weights) for `classCount` classes on
    /// `[channels, size, size]` images on `device`, timing `repeats` batch-1 forward passes.
    public init(of specification: RunSpecification, classCount: Int, channels: Int, size: Int, device: Device,
                repeats: Int) throws {
        let backbone = try specification.model.randomBackbone(classCount: classCount, inputChannels: channels)
        let network = try specification.strategy.transferStrategy().makeModel(from: backbone, classCount: classCount,
                                                                              generator: try Generator(seed: 0))
        let base = try specification.training.basePhase(name: specification.strategy.name)
        let phases = try specification.strategy.phases(model: network, backbone: backbone, base: base)
        trainableParameters = network.parameters()
            .filter { parameter in phases.contains { $0.trainable.matches(parameter.key) } }
            .reduce(0) { $0 + $1.tensor.elementCount }
        try network.move(to: device)
        let complexity = try ModelComplexity.measure(network, inputShape: [1, channels, size, size])
        let latency = try ModelComplexity.measureLatency(network, sampleShape: [channels, size, size], batchSizes: [1],
                                                         warmUp: 3, repeats: repeats)
        parameters = complexity.parameters
        macs = complexity.macs.total
        latencyMilliseconds = (latency.measurement(batchSize: 1)?.median ?? 0) * 1000
    }
}
