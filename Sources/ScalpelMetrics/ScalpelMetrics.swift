// Scalpel — ScalpelMetrics
// SPDX-License-Identifier: Apache-2.0

/// Classification metrics on host arrays (`[Double]` scores, `[Int]` labels): pure Swift, no libtorch.
public enum ScalpelMetrics {}
