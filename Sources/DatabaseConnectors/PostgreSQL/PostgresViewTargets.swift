/// The columns of a view's top-level target list that show a base table's column, read from the view's
/// rewrite rule (`pg_rewrite.ev_action`, PostgreSQL's node-tree text): each entry's name and the table OID
/// and column number it originates from (`resorigtbl`, `resorigcol`, which PostgreSQL traces through
/// subqueries). Entries computed from expressions have no origin and are left out.
package enum PostgresViewTargets {
    package struct Target: Sendable, Equatable {
        package var name: String
        package var table: UInt32
        package var column: Int
    }

    package static func parse(_ tree: String) -> [Target] {
        var targets: [Target] = []
        var depth = 0
        var token = ""
        var inTargets = false
        var done = false
        var entry: [String: String] = [:]
        var pending: String?
        var escaped = false

        func finishToken() {
            defer { token = "" }
            guard inTargets, depth == 4, !token.isEmpty else { return }
            if let field = pending {
                entry[field] = token
                pending = nil
            } else if [":resname", ":resorigtbl", ":resorigcol", ":resjunk"].contains(token) {
                pending = token
            }
        }
        for character in tree {
            if escaped {
                token.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\":
                escaped = true
            case "{", "(":
                finishToken()
                depth += 1
                if inTargets, depth == 4 {
                    entry = [:]
                    pending = nil
                }
            case "}", ")":
                finishToken()
                if inTargets, depth == 4, character == "}" {
                    if entry[":resjunk"] != "true", let name = entry[":resname"], name != "<>",
                        let table = entry[":resorigtbl"].flatMap(UInt32.init), table != 0,
                        let column = entry[":resorigcol"].flatMap(Int.init), column > 0
                    {
                        targets.append(Target(name: name, table: table, column: column))
                    }
                }
                depth -= 1
                if inTargets, depth < 3 {
                    inTargets = false
                    done = true
                }
            case " ", "\n", "\t":
                if !inTargets, !done, depth == 2, token == ":targetList" { inTargets = true }
                finishToken()
            default:
                token.append(character)
            }
        }
        return targets
    }
}
