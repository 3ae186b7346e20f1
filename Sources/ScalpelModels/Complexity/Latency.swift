// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// Measured forward latency of a model at a few batch sizes, in evaluation mode without gradients.
///
/// Each batch size first runs ``warmUpCount`` untimed forwards (allocator and kernel selection), then
/// times ``repeatCount`` forwards one by one, synchronising the device after each; the median is the
/// figure to report (as the TTL paper's "T (ms)").
public struct LatencyReport: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The timings at one batch size.
    public struct Measurement: Sendable, Hashable, Codable {
        public var batchSize: Int
        /// Seconds per forward pass of the whole batch, each repeat.
        public var samples: [Double]

        public init(batchSize: Int, samples: [Double]) {
            self.batchSize = batchSize
            self.samples = samples
        }

        /// Median seconds per batch (mean of the two middle repeats for an even count).
        public var median: Double {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return 0 }
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }

        public var minimum: Double { samples.min() ?? 0 }
        public var maximum: Double { samples.max() ?? 0 }
        /// Median seconds per sample (`median / batchSize`).
        public var medianPerSample: Double { median / Double(batchSize) }
    }

    /// The device the model ran on (`cpu`, `cuda:0`).
    public var device: String
    /// The per-sample input shape `[C, H, W]`.
    public var sampleShape: [Int]
    public var warmUpCount: Int
    public var repeatCount: Int
    /// One entry per batch size, in the order asked.
    public var measurements: [Measurement]

    public init(device: String, sampleShape: [Int], warmUpCount: Int, repeatCount: Int, measurements: [Measurement]) {
        self.device = device
        self.sampleShape = sampleShape
        self.warmUpCount = warmUpCount
        self.repeatCount = repeatCount
        self.measurements = measurements
    }

    /// The measurement at `batchSize`, if it was timed.
    public func measurement(batchSize: Int) -> Measurement? {
        measurements.first { $0.batchSize == batchSize }
    }

    public var description: String {
        let rows = measurements.map {
            "batch \($0.batchSize): \(formatMilliseconds($0.median)) ms (\(formatMilliseconds($0.medianPerSample)) ms/sample, min \(formatMilliseconds($0.minimum)), max \(formatMilliseconds($0.maximum)))"
        }
        return "latency on \(device), input \(sampleShape), median of \(repeatCount) after \(warmUpCount) warm-up:\n  "
            + rows.joined(separator: "\n  ")
    }
}

func formatMilliseconds(_ seconds: Double) -> String {
    let milliseconds = seconds * 1000
    let rounded = (milliseconds * 1000).rounded() / 1000
    return "\(rounded)"
}

extension ModelComplexity {
    /// Times `model`'s forward pass at each batch size (default 1 and 32) in evaluation mode without
    /// gradients; the modules' modes are restored afterwards.
    ///
    /// The input is filled with 0.5, on the device and with the dtype of the model's first parameter.
    ///
    /// - Parameters:
    ///   - sampleShape: one sample's shape, `[3, 224, 224]` by default.
    ///   - warmUp: untimed forwards before timing, per batch size.
    ///   - repeats: timed forwards per batch size (at least 1).
    /// - Throws: ``ArchitectureError`` for an empty batch size list, a batch size below 1, `repeats < 1`
    ///   or `warmUp < 0`; ``TorchError`` when the model cannot run on the input.
    public static func measureLatency(_ model: any Layer, sampleShape: [Int] = [3, 224, 224],
                                      batchSizes: [Int] = [1, 32], warmUp: Int = 3,
                                      repeats: Int = 10) throws -> LatencyReport {
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }), repeats >= 1, warmUp >= 0 else {
            throw ArchitectureError(
                "latency needs batch sizes >= 1, repeats >= 1 and warm-up >= 0; got batch sizes \(batchSizes), repeats \(repeats), warm-up \(warmUp)")
        }
        let device = model.parameters().first?.tensor.device ?? .cpu
        let clock = ContinuousClock()
        let measurements: [LatencyReport.Measurement] = try withEvaluationMode(model) {
            try withNoGrad {
                try batchSizes.map { (batchSize: Int) throws -> LatencyReport.Measurement in
                    let input = try makeInput(for: model, shape: [batchSize] + sampleShape)
                    for _ in 0 ..< warmUp { _ = try model(input) }
                    try TorchRuntime.synchronize(device)
                    var samples: [Double] = []
                    for _ in 0 ..< repeats {
                        let start = clock.now
                        _ = try model(input)
                        try TorchRuntime.synchronize(device)
                        let elapsed = start.duration(to: clock.now)
                        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                    }
                    return LatencyReport.Measurement(batchSize: batchSize, samples: samples)
                }
            }
        }
        return LatencyReport(device: "\(device)", sampleShape: sampleShape, warmUpCount: warmUp, repeatCount: repeats,
                             measurements: measurements)
    }
}
