// Scalpel — ScalpelMetricsTests
// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ScalpelMetrics

@Test func metricsModuleLinks() {
    #expect(String(describing: ScalpelMetrics.self) == "ScalpelMetrics")
}
