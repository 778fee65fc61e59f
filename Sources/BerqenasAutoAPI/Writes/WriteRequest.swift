import DatabaseConnectors

/// What a POST asks for besides its rows: PostgREST's `columns=`, `on_conflict=` and the `Prefer` choices.
package struct InsertOptions: Sendable, Equatable {
    /// `columns=`: only these keys are taken from the body (others are ignored).
    package var columns: [String]?
    /// `on_conflict=`: the unique columns an upsert matches on (default: the primary key).
    package var onConflict: [String]?
    /// `Prefer: resolution=…`: nil is a plain insert (a duplicate is a 409).
    package var resolution: Resolution?
    /// `Prefer: missing=default`: keys a row lacks take the column default instead of NULL.
    package var missingDefault = false

    package enum Resolution: Sendable, Equatable {
        case mergeDuplicates, ignoreDuplicates
    }

    package init(columns: [String]? = nil, onConflict: [String]? = nil, resolution: Resolution? = nil, missingDefault: Bool = false) {
        self.columns = columns
        self.onConflict = onConflict
        self.resolution = resolution
        self.missingDefault = missingDefault
    }
}

/// The statements of one write and the columns of the rows they report.
package struct WritePlan: Sendable, Equatable {
    package var statements: [BoundStatement]
    package var columns: [ResultColumn]
}
