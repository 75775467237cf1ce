/// The word lists generated names and text are made from.
enum SeedWords {
    static let firstNames = [
        "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia", "Tim",
        "Anita", "Guido", "Hedy", "Bjarne", "Karen", "John", "Sophie", "Niklaus", "Lynn", "Donald", "Mary", "James",
        "Shafi", "Leslie", "Jean", "Yukihiro", "Rasmus", "Joan", "Chris", "Elena", "Omar", "Priya", "Wei", "Fatima",
        "Lars", "Ingrid", "Mateo", "Aiko", "Kwame", "Zofia", "Ravi", "Chloé", "Björn", "Nadia", "Tomás", "Mei",
    ]
    static let lastNames = [
        "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra",
        "Perlman", "Lee", "Borg", "Rossum", "Lamarr", "Stroustrup", "Jones", "McCarthy", "Wilson", "Wirth", "Conway",
        "Knuth", "Shaw", "Gosling", "Goldwasser", "Lamport", "Sammet", "Matsumoto", "Lerdorf", "Clarke", "Lattner",
        "Petrova", "Haddad", "Sharma", "Zhang", "Rahman", "Nilsson", "Berg", "García", "Tanaka", "Mensah", "Nowak",
        "Iyer", "Dubois", "Öberg", "Kowalski", "O'Brien", "Müller",
    ]
    static let domains = ["example.com", "example.org", "example.net", "corp.example.com", "dev.example.org"]
    static let products = [
        "Platform", "Web Client", "Mobile App", "Desktop", "Server", "Toolkit", "Documentation", "Infrastructure",
        "Analytics", "Billing", "Identity", "Search", "Storage", "Messaging", "Payments", "Reporting", "Integrations",
        "Installer", "Localization", "Security Tools",
    ]
    static let components = [
        "General", "User Interface", "Networking", "Database", "Build", "Accessibility", "Performance", "API",
        "Authentication", "Graphics", "Printing", "Sync", "Settings", "Notifications", "Import/Export", "Crash Reporting",
    ]
    static let keywords = [
        "crash", "regression", "perf", "dataloss", "hang", "testcase", "polish", "access", "intermittent", "sec-high",
        "sec-low", "meta", "leak", "ux", "good-first-bug", "qawanted", "steps-wanted", "parity", "topcrash", "l10n",
    ]
    static let bugGroups: [(name: String, description: String)] = [
        ("security", "Security-sensitive bugs"),
        ("partner-acme", "Bugs shared with Acme Corp"),
        ("hr-internal", "Internal HR tooling"),
        ("legal", "Legal review"),
    ]
    static let verbs = [
        "crashes", "hangs", "fails", "freezes", "leaks memory", "shows a blank page", "times out", "loses data",
        "renders wrongly", "ignores the setting", "throws an exception", "logs an error", "is slow", "flickers",
        "returns 500", "double-counts", "drops the first item", "breaks", "stops responding", "truncates text",
    ]
    static let nouns = [
        "the login form", "the settings page", "the export", "the search box", "the dashboard", "the sync service",
        "the installer", "the print preview", "the notification centre", "the file picker", "the report builder",
        "the API client", "the cache", "the scheduler", "the importer", "the toolbar", "the history view",
        "the upload", "the chart", "the profile page", "the keyboard shortcuts", "the dark theme",
    ]
    static let situations = [
        "after an update", "on startup", "when offline", "with a large file", "on a slow network", "after resume",
        "with two monitors", "in private mode", "on first run", "when the disk is full", "with a non-ASCII name",
        "under load", "after a restart", "with a proxy", "on low memory", "when switching accounts",
    ]
    static let sentences = [
        "Steps to reproduce: open the page, wait a few seconds, then click save.",
        "This started after the last release; the previous build was fine.",
        "I can reproduce it every time on a clean profile.",
        "Attaching the log from C:\\Program Files\\App\\logs would help here.",
        "Expected: the change is kept. Actual: it's gone after a reload.",
        "Could this be the same problem as the cache invalidation we saw last month?",
        "The stack trace points at the serializer; the buffer is never flushed.",
        "Confirmed on Linux and Windows, not on macOS.",
        "It only happens with more than a thousand items in the list.",
        "A workaround is to clear the cache and sign in again.",
        "I bisected it to the change that made the requests run in parallel.",
        "Marking as a regression; it blocks the release.",
        "Patch is up for review; it adds a test for the empty case.",
        "Landed the fix; please verify with tomorrow's build.",
        "Verified fixed with the nightly build.",
        "Still seeing this with \"safe mode\" on, so it isn't an add-on.",
        "The numbers in the report differ by exactly one day, a time zone issue.",
        "Memory grows by about 50 MB an hour while the window is open.",
        "Users in the EU see it more often, probably because of the CDN.",
        "Can't reproduce here; can you share your settings file?",
        "Works for me with the current version.",
        "Here's a minimal test case:\n\n    open(\"data.csv\")\n    save(as: \"out.csv\")",
        "The error message says 'permission denied' but the file is writable.",
        "Raising the priority: several customers reported it this week.",
    ]
}
