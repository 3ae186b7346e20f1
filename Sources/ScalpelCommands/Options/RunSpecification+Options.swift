// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ScalpelExperiments

extension RunSpecification {
    /// The run the option groups of `train`, `compare` and `search` describe; a strategy trained from
    /// scratch gets no pretrained weights.
    init(data: DataOptions, model: ModelOptions, training: TrainingOptions, runtime: RuntimeOptions, splitSeed: UInt64) {
        var runtimeSpecification = RuntimeSpecification()
        runtimeSpecification.device = runtime.device
        runtimeSpecification.threads = runtime.threads
        runtimeSpecification.seed = runtime.seed
        runtimeSpecification.workers = training.workers
        runtimeSpecification.cacheFeatures = training.cacheFeatures
        runtimeSpecification.bootstrap = training.bootstrap
        let specification = RunSpecification(data: data.specification(splitSeed: splitSeed), model: model.specification,
                                              strategy: training.strategySpecification, training: training.trainingSpecification,
                                              runtime: runtimeSpecification)
        self = specification.withStrategyWeights()
    }
}

/// Runs `body`, turning the library's errors into ``CommandError``s (one-line messages).
func asCommandError<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ExperimentError { throw CommandError(error.description) }
}
