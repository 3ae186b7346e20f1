// Scalpel — TorchTestSupport
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch

/// Records a test issue unless `actual` and `expected` have the same shape and
/// |actual − expected| ≤ atol + rtol·|expected| everywhere (`torch.allclose`). The message names the
/// shapes, the largest absolute and relative errors and where the worst element is.
public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
                        _ label: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        guard actual.shape == expected.shape else {
            Issue.record("\(label) shape \(actual.shape) != expected \(expected.shape)", sourceLocation: sourceLocation)
            return
        }
        let a = try actual.detached().to(device: .cpu).to(dtype: .float64).hostArray(of: Double.self)
        let e = try expected.detached().to(device: .cpu).to(dtype: .float64).hostArray(of: Double.self)
        var worst = -1
        var worstExcess = 0.0
        var maxAbs = 0.0
        var maxRel = 0.0
        for i in a.indices {
            let diff = Swift.abs(a[i] - e[i])
            if a[i].isNaN != e[i].isNaN {
                worst = i
                break
            }
            if a[i].isNaN { continue }
            maxAbs = Swift.max(maxAbs, diff)
            if e[i] != 0 { maxRel = Swift.max(maxRel, diff / Swift.abs(e[i])) }
            let excess = diff - (atol + rtol * Swift.abs(e[i]))
            if excess > worstExcess {
                worstExcess = excess
                worst = i
            }
        }
        if worst >= 0 {
            Issue.record("""
                \(label) not close (rtol \(rtol), atol \(atol)) for shape \(actual.shape): max abs error \(maxAbs), \
                max rel error \(maxRel); worst at flat index \(worst): \(a[worst]) vs expected \(e[worst])
                """, sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("\(label) comparison failed: \(error)", sourceLocation: sourceLocation)
    }
}

/// Records an issue unless both tensors hold exactly the same values (bit-identical after conversion to float64).
public func assertEqual(_ actual: Tensor, _ expected: Tensor, _ label: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
    assertClose(actual, expected, rtol: 0, atol: 0, label, sourceLocation: sourceLocation)
}
