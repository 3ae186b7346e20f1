// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0

/// The run recipe as a library: a run's specification, where its data come from, running it, and
/// opening a finished run again for evaluation, prediction, analyses and attacks; sweeps over grids of
/// specifications and the index of every run. The commands are thin layers over this target.
public enum ScalpelExperiments {}
