/// `alias:target!hint!inner(items)` or `...target(items)` in `select=`: the related rows of another served
/// table, through a foreign key (or a junction table's two).
package struct Embed: Sendable, Equatable {
    /// What the embed names: a table, or (PostgREST's other spellings) a foreign key's name or one of the outer
    /// table's key columns.
    package var target: String
    package var alias: String?
    /// `!hint`: a foreign key's name, one of its columns (either side), or a junction table's name.
    package var hint: String?
    /// `!inner`: only the outer rows with at least one embedded row (after the embed's filters) are kept.
    package var inner: Bool
    /// `...target(items)`: the embedded columns become the outer row's own (arrays of values for to-many).
    package var spread: Bool
    /// The embedded items; empty for `target()`, an embed used only to filter, left out of the answer.
    package var select: [SelectItem]

    package init(
        target: String, alias: String? = nil, hint: String? = nil, inner: Bool = false, spread: Bool = false, select: [SelectItem] = [.all]
    ) {
        self.target = target
        self.alias = alias
        self.hint = hint
        self.inner = inner
        self.spread = spread
        self.select = select
    }

    /// The embed's name in the answer and in its filters' paths (`buyer.name=eq.Ann`).
    package var name: String { alias ?? target }
}
