// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

extension TrainingError {
    /// libtorch's allocation failure (`TorchError.Kind.outOfMemory`: the CPU allocator's "CPU out of memory:
    /// tried to allocate N bytes", CUDA's "out of memory") as a message naming what the run was doing, the
    /// size asked for, and what to make smaller.
    public static func outOfMemory(_ error: TorchError, during activity: String, batchSize: Int) -> TrainingError {
        var asked = ""
        if let range = error.message.range(of: #"allocate [0-9]+ bytes"#, options: .regularExpression),
           let bytes = Double(error.message[range].split(separator: " ")[1]) {
            asked = " (\(formatBytes(bytes)) asked for)"
        } else if let range = error.message.range(of: #"allocate [0-9.]+ [KMGT]iB"#, options: .regularExpression) {
            asked = " (\(error.message[range].dropFirst("allocate ".count)) asked for)"
        }
        let smaller = max(batchSize / 2, 1)
        return .outOfMemory("out of memory while \(activity)\(asked), in \(error.operation): the machine cannot hold a batch of \(batchSize) images at this image size; try a smaller --batch-size (e.g. \(smaller)) or --image-size, or close other programs")
    }

    static func formatBytes(_ bytes: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = bytes, unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(bytes)) bytes" : String(format: "%.1f ", value) + units[unit]
    }
}
