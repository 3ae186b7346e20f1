// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0

/// Pages people look at: self-contained HTML reports of runs, comparisons and sweeps, with vector (SVG)
/// plots, built from result files only — this target never loads a model.
public enum ScalpelReport {}
