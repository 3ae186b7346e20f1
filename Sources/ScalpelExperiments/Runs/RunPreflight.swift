// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// Checks every input of a set of runs before the first one trains, so a mistake in the last run
/// of a comparison is found in seconds, not after hours: each specification is valid, its strategy
/// fits the backbone (cut points, block names, counts), its starting weights are on disk (downloaded
/// now when they can be), and its data are readable.
public enum RunPreflight {
    /// Checks `runs` (a label each, for messages) on `data`, the data they share.
    ///
    /// - Parameter allowDownload: fetch missing weight files now; false: a missing file is an error.
    /// - Throws: ``ExperimentError`` starting with the run's label.
    public static func check(_ runs: [(label: String, specification: RunSpecification)], data: RunData,
                             allowDownload: Bool = true) throws {
        var checkedWeights: Set<String> = []
        for (label, specification) in runs {
            do {
                try specification.validate()
                try specification.data.checkAvailable()
                let backbone = try specification.model.randomBackbone(classCount: data.classCount, inputChannels: data.channels)
                _ = try specification.strategy.transferStrategy().makeModel(from: backbone, classCount: data.classCount,
                                                                            generator: nil)
                let weights = specification.model.architecture + "|" + specification.model.weights
                if !checkedWeights.contains(weights) {
                    _ = try specification.model.weightFile(allowDownload: allowDownload)
                    checkedWeights.insert(weights)
                }
            } catch let error as TrainingError {
                throw ExperimentError("\(label): \(error.description)")
            } catch let error as ExperimentError {
                throw ExperimentError("\(label): \(error.description)")
            } catch let error as CustomStringConvertible & Error {
                throw ExperimentError("\(label): \(error.description)")
            }
        }
    }
}
