// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The state one epoch's workers and its consumer share. Every `var` is read and written only while
/// holding ``condition``; the work itself (decoding, transforming, assembling) happens outside it.
///
/// Workers claim samples in epoch order, but never from a batch `prefetchBatches` or more ahead of
/// the next one the consumer takes, so at most `prefetchBatches` batches are in progress or ready.
/// The worker that finishes a batch's last sample assembles it and hands it over; the consumer
/// takes batches strictly in order.
final class LoaderPipeline: @unchecked Sendable {
    let plan: EpochPlan
    let work: SampleWork
    let prefetchBatches: Int
    let condition = NSCondition()

    /// Next position of `plan.order` a worker will claim.
    private var nextPosition = 0
    /// Batches the consumer has taken.
    private(set) var consumed = 0
    private var cancelled = false
    /// Worker threads still running.
    private(set) var liveWorkers = 0
    /// Batches in progress: each sample's outcome (nil until loaded) and how many are missing.
    private var inProgress: [Int: (outcomes: [SampleOutcome?], missing: Int)] = [:]
    /// Assembled batches not yet taken.
    private var ready: [Int: Result<HostBatch, DataLoaderError>] = [:]

    init(plan: EpochPlan, work: SampleWork, workers: Int, prefetchBatches: Int) {
        self.plan = plan
        self.work = work
        self.prefetchBatches = prefetchBatches
        guard plan.batchCount > 0 else { return }
        liveWorkers = workers
        for number in 0 ..< workers {
            let thread = Thread { [self] in runWorker() }
            thread.name = "scalpel-loader-\(number)"
            thread.start()
        }
    }

    private func runWorker() {
        while let position = claim() {
            let outcome = work.load(plan.order[position])
            deliver(outcome, at: position)
        }
        condition.lock()
        liveWorkers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next position to load, waiting while its batch is too far ahead; nil when done or cancelled.
    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, nextPosition < plan.sampleCount, plan.batch(of: nextPosition) >= consumed + prefetchBatches {
            condition.wait()
        }
        guard !cancelled, nextPosition < plan.sampleCount else { return nil }
        let position = nextPosition
        nextPosition += 1
        let batch = plan.batch(of: position)
        if inProgress[batch] == nil {
            let size = plan.positions(of: batch).count
            inProgress[batch] = ([SampleOutcome?](repeating: nil, count: size), size)
        }
        return position
    }

    /// Stores one outcome; the worker that completes a batch assembles it.
    private func deliver(_ outcome: SampleOutcome, at position: Int) {
        let batch = plan.batch(of: position)
        condition.lock()
        guard var entry = inProgress[batch] else { condition.unlock(); return }
        entry.outcomes[position - plan.positions(of: batch).lowerBound] = outcome
        entry.missing -= 1
        if entry.missing > 0 {
            inProgress[batch] = entry
            condition.unlock()
            return
        }
        inProgress[batch] = nil
        condition.unlock()

        let indices = plan.positions(of: batch).map { plan.order[$0] }
        let assembled = work.assemble(indices: indices, outcomes: entry.outcomes.map { $0 ?? .failed("internal: sample not loaded") })
        condition.lock()
        ready[batch] = assembled
        condition.broadcast()
        condition.unlock()
    }

    /// Batch `number` (the next in order) once it is ready; nil when cancelled.
    func take(_ number: Int) -> Result<HostBatch, DataLoaderError>? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, ready[number] == nil { condition.wait() }
        guard !cancelled, let batch = ready.removeValue(forKey: number) else { return nil }
        consumed = number + 1
        condition.broadcast()
        return batch
    }

    /// Stops the workers and waits until every one has returned (each finishes at most the sample it
    /// is loading).
    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        inProgress.removeAll()
        condition.broadcast()
        while liveWorkers > 0 { condition.wait() }
        condition.unlock()
    }

    /// For tests: worker threads still running.
    var runningWorkers: Int {
        condition.lock()
        defer { condition.unlock() }
        return liveWorkers
    }
}

/// Cancels the pipeline when the last copy of a ``BatchIterator`` goes away.
final class PipelineOwner {
    let pipeline: LoaderPipeline
    init(_ pipeline: LoaderPipeline) { self.pipeline = pipeline }
    deinit { pipeline.cancel() }
}
