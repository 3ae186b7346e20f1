// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ScalpelDownload
import ScalpelMetrics
import ScalpelReport
import Torch

// The error types of targets that do not depend on Torch (which defines UserFacingError) conform here; every other
// Scalpel error conforms where it is defined.
extension MetricError: UserFacingError {}
extension DownloadError: UserFacingError {}
extension ReportError: UserFacingError {}
