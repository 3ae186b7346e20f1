// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ScalpelDownload
import ScalpelMetrics
import Torch

// The two error types of targets below Torch (which defines UserFacingError) conform here; every other
// Scalpel error conforms where it is defined.
extension MetricError: UserFacingError {}
extension DownloadError: UserFacingError {}
