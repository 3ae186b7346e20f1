// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import GRDB

/// A condition on indexed runs, written `FIELD OP VALUE` with OP one of `=`, `!=`, `<`, `<=`, `>`,
/// `>=` or `~` (contains): `strategy=full`, `auroc>=0.9`, `model~resnet`.
public struct RunFilter: Sendable, Equatable {
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case contains = "~"
    }

    public var field: String
    public var `operator`: Operator
    public var value: String

    public init(parsing text: String) throws {
        // Two-character operators first, so `<=` is not read as `<`.
        let operators: [Operator] = [.notEqual, .lessOrEqual, .greaterOrEqual, .equal, .less, .greater, .contains]
        for candidate in operators {
            if let range = text.range(of: candidate.rawValue) {
                field = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                value = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
                `operator` = candidate
                _ = try IndexedRun.column(named: field)
                return
            }
        }
        throw ExperimentError("--where: '\(text)' is not FIELD OP VALUE (OP: =, !=, <, <=, >, >=, ~), e.g. 'auroc>=0.9' or 'strategy=full'")
    }

    var expression: SQLExpression {
        get throws {
            let column = Column(try IndexedRun.column(named: field))
            // Numbers compare as numbers, everything else as text.
            let operand: any DatabaseValueConvertible = Double(value) ?? value
            switch `operator` {
            case .equal: return column == operand
            case .notEqual: return column != operand
            case .less: return column < operand
            case .lessOrEqual: return column <= operand
            case .greater: return column > operand
            case .greaterOrEqual: return column >= operand
            case .contains: return column.like("%\(value)%")
            }
        }
    }
}

/// An order of indexed runs: `FIELD` ascending, `-FIELD` descending.
public struct RunSort: Sendable, Equatable {
    public var field: String
    public var descending: Bool

    public init(parsing text: String) throws {
        descending = text.hasPrefix("-")
        field = descending ? String(text.dropFirst()) : text
        _ = try IndexedRun.column(named: field)
    }

    var ordering: SQLOrdering {
        get throws {
            let column = Column(try IndexedRun.column(named: field))
            return descending ? column.desc : column.asc
        }
    }
}
