// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// How a universal perturbation is searched, shared by `attack uap` and `attack compare`: the inner
/// FGSM step, augmented views, chunking and passes, and the random controls.
struct UAPSearchOptions: ParsableArguments {
    @Option(name: .customLong("fgsm-eps"), help: "FGSM step of the inner attack, in [0, 1] pixel units.")
    var fgsmEpsilon: Double = 0.0012

    @Option(help: "Views per source image (1: the image alone; more adds random crops, flips and colour changes).")
    var views: Int = 1

    @Option(help: "Source images per chunk (progress is saved after each).")
    var chunk: Int = 100

    @Option(help: "Passes over each chunk.")
    var passes: Int = 1

    @Option(name: .customLong("random-draws"), help: "Random perturbations in the same ball, as controls.")
    var randomDraws: Int = 5
}
