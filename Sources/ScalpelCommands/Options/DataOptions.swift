// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelData
import ScalpelExperiments

/// Where the images and labels come from, and how they are split.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A MedMNIST name (pneumoniamnist, …) or .npz file, a folder with one subfolder per class, a CSV manifest, or synthetic[:COUNT] (generated, labelled as such).",
        valueName: "source"))
    var data: String

    @Option(help: "MedMNIST image size when --data is a MedMNIST name: 28, 64, 128 or 224.")
    var size: Int = 28

    @Option(help: "CSV: the column of image paths.")
    var pathColumn: String = "path"

    @Option(help: "CSV: the label column (class names), or several comma-separated 0/1 columns for a multi-label task.")
    var labelColumn: String = "label"

    @Option(help: "CSV: a column of train/val/test; without it the data are split with --split.")
    var splitColumn: String?

    @Option(help: "CSV: a column of patient IDs; splits keep each patient's images together.")
    var patientColumn: String?

    @Option(help: "CSV: the class names in label order (comma-separated); values outside them are errors.")
    var classes: String?

    @Flag(help: "CSV: the classes are ordered grades (ordinal task).")
    var ordinal = false

    @Option(help: "CSV: the folder relative image paths start from (default: the CSV's folder).")
    var imageRoot: String?

    @Option(help: "Train,validation,test fractions for data without a given split.")
    var split: String = "0.7,0.1,0.2"

    @Option(help: "What to do with an unreadable image: fail (stop, naming it) or skip (leave it out, naming it).")
    var onBadImage: BadImagePolicy = .fail

    func validate() throws {
        do {
            try specification(splitSeed: 0).fractions().validate(source: "--split")
        } catch let error as ExperimentError {
            throw ValidationError(error.description)
        }
    }

    /// The data section of a run specification.
    func specification(splitSeed: UInt64) -> DataSpecification {
        var data = DataSpecification(source: self.data)
        data.medmnistSize = size
        data.pathColumn = pathColumn
        data.labelColumn = labelColumn
        data.splitColumn = splitColumn
        data.patientColumn = patientColumn
        data.classes = classes
        data.ordinal = ordinal
        data.imageRoot = imageRoot
        data.split = split
        data.splitSeed = splitSeed
        data.onBadImage = onBadImage
        return data
    }
}

extension BadImagePolicy: ExpressibleByArgument {}
