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

/// The run index every trained run is recorded in, or nil: `SCALPEL_INDEX=off`, or an index that cannot
/// be opened (a warning; training goes on).
func recordingIndex(note: (String) -> Void) -> RunIndex? {
    guard RunIndex.isEnabled() else { return nil }
    do { return try RunIndex() } catch {
        note("warning: runs are not recorded in the run index: \(error)")
        return nil
    }
}
