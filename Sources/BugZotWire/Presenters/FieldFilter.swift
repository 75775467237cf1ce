/// Bugzilla's include_fields / exclude_fields: exclusion beats inclusion, `_default` and `_all`
/// keep everything, and a dotted name (`components.name`) keeps its container with only that part.
public struct FieldFilter: Sendable {
    /// The names asked for (none: everything).
    public let include: Set<String>
    /// The names left out, whatever `include` says.
    public let exclude: Set<String>

    /// The filter of these lists of names.
    public init(include: [String], exclude: [String]) {
        self.include = Set(include)
        self.exclude = Set(exclude)
    }

    private var includesEverything: Bool {
        include.isEmpty || include.contains("_default") || include.contains("_all")
    }

    /// `object` with only the members the filter keeps.
    public func apply(to object: JSONObject) -> JSONObject {
        // Most calls name no fields: the object as it is, without rebuilding it.
        if includesEverything && exclude.isEmpty { return object }
        return filter(object, prefix: "", whole: includesEverything)
    }

    private func filter(_ object: JSONObject, prefix: String, whole: Bool) -> JSONObject {
        var result: JSONObject = [:]
        for (key, value) in object {
            let name = prefix + key
            if exclude.contains(name) { continue }
            if whole || include.contains(name) {
                result[key] = nested(value, prefix: name + ".", whole: true)
            } else if include.contains(where: { $0.hasPrefix(name + ".") }) {
                result[key] = nested(value, prefix: name + ".", whole: false)
            }
        }
        return result
    }

    private func nested(_ value: JSONValue, prefix: String, whole: Bool) -> JSONValue {
        switch value {
        case .object(let object): .object(filter(object, prefix: prefix, whole: whole))
        case .array(let items): .array(items.map { nested($0, prefix: prefix, whole: whole) })
        default: value
        }
    }
}
