// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A data source (image folder, CSV manifest, split request) that cannot be used as given. The
/// message names the file or folder, where in it (row, column, folder, option), what is wrong and how
/// to fix it.
public struct DataSourceError: Error, UserFacingError, Sendable, CustomStringConvertible, Equatable {
    /// The file or folder at fault.
    public var file: String
    /// Where in it: "line 4, column 'label'", "folder 'normal'", "option fractions"; nil for the whole.
    public var location: String?
    /// What is wrong.
    public var problem: String
    /// What to do about it, when there is something to say.
    public var fix: String?

    public init(file: String, location: String? = nil, problem: String, fix: String? = nil) {
        self.file = file
        self.location = location
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var text = file
        if let location { text += ": \(location)" }
        text += ": \(problem)"
        if let fix { text += ". \(fix)" }
        return text
    }
}
