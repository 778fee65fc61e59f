import DatabaseConnectors

/// What a POST asks for besides its rows: PostgREST's `columns=`, `on_conflict=` and the `Prefer` choices.
public struct InsertOptions: Sendable, Equatable {
    /// `columns=`: only these keys are taken from the body (others are ignored).
    public var columns: [String]?
    /// `on_conflict=`: the unique columns an upsert matches on (default: the primary key).
    public var onConflict: [String]?
    /// `Prefer: resolution=…`: nil is a plain insert (a duplicate is a 409).
    public var resolution: Resolution?
    /// `Prefer: missing=default`: keys a row lacks take the column default instead of NULL.
    public var missingDefault = false

    public enum Resolution: Sendable, Equatable {
        case mergeDuplicates, ignoreDuplicates
    }

    public init(columns: [String]? = nil, onConflict: [String]? = nil, resolution: Resolution? = nil, missingDefault: Bool = false) {
        self.columns = columns
        self.onConflict = onConflict
        self.resolution = resolution
        self.missingDefault = missingDefault
    }
}

/// The statements of one write and the columns of the rows they report.
public struct WritePlan: Sendable, Equatable {
    public var statements: [BoundStatement]
    public var columns: [ResultColumn]
}
