import BugZotDomain
import Testing

@Suite("The field catalog")
struct FieldCatalogTests {
    @Test("starts with Bugzilla 5's severities, priorities, operating systems and platforms, and no keywords")
    func standard() {
        let catalog = FieldCatalog.standard
        #expect(catalog.severities == ["blocker", "critical", "major", "normal", "minor", "trivial", "enhancement"])
        #expect(catalog.priorities == ["Highest", "High", "Normal", "Low", "Lowest", "---"])
        #expect(catalog.opSystems == ["All", "Windows", "Mac OS", "Linux", "Other"])
        #expect(catalog.platforms == ["All", "PC", "Macintosh", "Other"])
        #expect(catalog.keywords.isEmpty)
    }

    @Test("lists the legal values of each select field", arguments: SelectField.allCases)
    func valuesOf(_ field: SelectField) {
        let catalog = FieldCatalog.standard
        let expected = switch field {
        case .severity: catalog.severities
        case .priority: catalog.priorities
        case .opSys: catalog.opSystems
        case .platform: catalog.platforms
        }
        #expect(catalog.values(of: field) == expected)
    }

    @Test("each select field's fallback is one of its standard values", arguments: SelectField.allCases)
    func fallbackIsLegal(_ field: SelectField) {
        #expect(FieldCatalog.standard.values(of: field).contains(field.fallback))
    }

    @Test("new bugs fall back to normal severity, no priority, and All for OS and platform")
    func fallbacks() {
        #expect(SelectField.severity.fallback == "normal")
        #expect(SelectField.priority.fallback == "---")
        #expect(SelectField.opSys.fallback == "All")
        #expect(SelectField.platform.fallback == "All")
    }

    @Test("select fields carry their API names and Bugzilla's internal column names")
    func names() {
        #expect(SelectField.allCases.map(\.rawValue) == ["severity", "priority", "op_sys", "platform"])
        #expect(SelectField.allCases.map(\.internalName) == ["bug_severity", "priority", "op_sys", "rep_platform"])
    }

    @Test("validating a legal value returns it")
    func validatesLegalValue() throws {
        #expect(try FieldCatalog.standard.validated("Mac OS", for: .opSys) == "Mac OS")
    }

    @Test("validating an unknown value fails, naming the field by its API name")
    func rejectsUnknownValue() {
        #expect(throws: DomainError.invalidFieldValue(field: "op_sys", value: "BeOS")) {
            try FieldCatalog.standard.validated("BeOS", for: .opSys)
        }
    }

    @Test("values are matched exactly, case included")
    func caseSensitive() {
        #expect(throws: DomainError.invalidFieldValue(field: "severity", value: "Normal")) {
            try FieldCatalog.standard.validated("Normal", for: .severity)
        }
    }
}
