import XCTest
@testable import ScalpelTraining

final class PlaceholderTrainingTests: XCTestCase {}
