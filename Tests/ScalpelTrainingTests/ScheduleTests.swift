// Scalpel — ScalpelTrainingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelTraining

/// Learning rates equal torch.optim.lr_scheduler's (scripts/fixtures/fixtures_schedules.py).
struct ScheduleTests {
    let cases: [String: Any]

    init() throws {
        let url = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/schedules.json")
        cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func expectRates(_ actual: [[Double]], _ expected: [[Double]], _ label: String) {
        #expect(actual.count == expected.count, "\(label): step count")
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            for (x, y) in zip(a, e) {
                #expect(abs(x - y) <= 1e-9 * max(abs(y), 1e-12) + 1e-15, "\(label) step \(step): \(x) vs PyTorch \(y)")
            }
        }
    }

    @Test func multiStepEqualsPyTorch() throws {
        let c = try #require(cases["multistep"] as? [String: Any])
        let scheduler = try LearningRateScheduler(.multiStep(milestones: c["milestones"] as! [Int], gamma: c["gamma"] as! Double),
                                                  baseRates: c["base"] as! [Double], epochs: 10, stepsPerEpoch: 3, maximize: false)
        let rates = (0..<10).map { scheduler.learningRates(epoch: $0, step: $0 * 3) }
        expectRates(rates, c["rates"] as! [[Double]], "multi-step")
    }

    @Test func cosineWithWarmupEqualsPyTorch() throws {
        let c = try #require(cases["cosine"] as? [String: Any])
        let epochs = c["epochs"] as! Int, perEpoch = c["steps_per_epoch"] as! Int
        let scheduler = try LearningRateScheduler(
            .cosine(warmupEpochs: c["warmup_epochs"] as! Int, warmupStartFactor: c["start_factor"] as! Double,
                    minimumFactor: c["minimum_factor"] as! Double),
            baseRates: c["base"] as! [Double], epochs: epochs, stepsPerEpoch: perEpoch, maximize: false)
        let rates = (0..<(epochs * perEpoch)).map { scheduler.learningRates(epoch: $0 / perEpoch, step: $0) }
        expectRates(rates, c["rates"] as! [[Double]], "cosine")
    }

    @Test func oneCycleEqualsPyTorch() throws {
        let c = try #require(cases["one_cycle"] as? [String: Any])
        let epochs = c["epochs"] as! Int, perEpoch = c["steps_per_epoch"] as! Int
        let scheduler = try LearningRateScheduler(
            .oneCycle(pctStart: c["pct_start"] as! Double, divFactor: c["div_factor"] as! Double,
                      finalDivFactor: c["final_div_factor"] as! Double),
            baseRates: c["base"] as! [Double], epochs: epochs, stepsPerEpoch: perEpoch, maximize: false)
        let rates = (0..<(epochs * perEpoch)).map { scheduler.learningRates(epoch: $0 / perEpoch, step: $0) }
        expectRates(rates, c["rates"] as! [[Double]], "one-cycle")
    }

    @Test(arguments: ["plateau_min", "plateau_max"])
    func plateauEqualsPyTorch(name: String) throws {
        let c = try #require(cases[name] as? [String: Any])
        let options = PlateauOptions(factor: c["factor"] as! Double, patience: c["patience"] as! Int,
                                     threshold: c["threshold"] as! Double, cooldown: c["cooldown"] as! Int,
                                     minimumLearningRate: c["min_lr"] as! Double)
        var scheduler = try LearningRateScheduler(.plateau(options), baseRates: c["base"] as! [Double], epochs: 20,
                                                  stepsPerEpoch: 1, maximize: c["mode"] as! String == "max")
        var rates: [[Double]] = []
        for value in c["values"] as! [Double] {
            _ = scheduler.endEpoch(validationValue: value)
            rates.append(scheduler.learningRates(epoch: 0, step: 0))
        }
        expectRates(rates, c["rates_after_step"] as! [[Double]], name)
    }

    @Test func plateauStopsBelowTheFloor() throws {
        // TruncatedTL: factor 0.5, patience 5, stop once the rate is below 1e-6, from 1e-4 → 7 halvings.
        var scheduler = try LearningRateScheduler(.plateau(PlateauOptions(factor: 0.5, patience: 0, stopBelow: 1e-6)),
                                                  baseRates: [1e-4], epochs: 100, stepsPerEpoch: 1, maximize: false)
        var epochs = 0
        while !scheduler.endEpoch(validationValue: 1.0) { epochs += 1 }
        #expect(epochs == 7)   // the first value sets the best; 7 more stagnant epochs halve 1e-4 below 1e-6
        #expect(scheduler.learningRates(epoch: 0, step: 0)[0] < 1e-6)
    }

    @Test func invalidParametersAreRejected() {
        #expect(throws: TrainingError.self) { try Schedule.multiStep(milestones: [0], gamma: 0.1).validate() }
        #expect(throws: TrainingError.self) { try Schedule.oneCycle(pctStart: 1.2, divFactor: 25, finalDivFactor: 1e4).validate() }
        #expect(throws: TrainingError.self) { try Schedule.plateau(PlateauOptions(factor: 1.5)).validate() }
        #expect(throws: TrainingError.self) { try Schedule.cosine(warmupEpochs: -1, warmupStartFactor: 0.1, minimumFactor: 0).validate() }
    }

    @Test func medmnistProtocolMilestones() {
        #expect(Schedule.medmnist(epochs: 100) == .multiStep(milestones: [50, 75], gamma: 0.1))
    }
}
