import BugZotDomain
import Testing

@Suite("List edits: add, remove and set")
struct ListEditTests {
    @Test("an empty edit leaves the list as it was")
    func emptyEdit() {
        let edit = ListEdit<Int>()
        #expect(edit.isEmpty)
        #expect(edit.applied(to: [3, 1, 2]) == [3, 1, 2])
    }

    @Test("add appends new items at the end, in the order given")
    func add() {
        #expect(ListEdit(add: [5, 4]).applied(to: [1, 2]) == [1, 2, 5, 4])
    }

    @Test("add leaves items already present where they are")
    func addExisting() {
        #expect(ListEdit(add: [1, 3]).applied(to: [1, 2]) == [1, 2, 3])
    }

    @Test("remove takes items out and keeps the order of the rest")
    func remove() {
        #expect(ListEdit(remove: [2]).applied(to: [1, 2, 3]) == [1, 3])
    }

    @Test("removing an item that is not there is harmless")
    func removeMissing() {
        #expect(ListEdit(remove: [9]).applied(to: [1, 2]) == [1, 2])
    }

    @Test("set replaces the whole list")
    func set() {
        #expect(ListEdit(set: [7, 8]).applied(to: [1, 2]) == [7, 8])
    }

    @Test("set to empty clears the list")
    func setEmpty() {
        let edit = ListEdit<Int>(set: [])
        #expect(!edit.isEmpty)
        #expect(edit.applied(to: [1, 2]).isEmpty)
    }

    @Test("add and remove apply after set")
    func setThenAddAndRemove() {
        #expect(ListEdit(add: [9], remove: [7], set: [7, 8]).applied(to: [1, 2]) == [8, 9])
    }

    @Test("an item both added and removed ends up removed")
    func removeWins() {
        #expect(ListEdit(add: [3], remove: [3]).applied(to: [1]) == [1])
    }

    @Test("the result never repeats an item")
    func noRepeats() {
        #expect(ListEdit(add: [2, 2, 4]).applied(to: [1, 2, 1]) == [1, 2, 4])
    }

    @Test("an edit with only additions or only removals is not empty")
    func notEmpty() {
        #expect(!ListEdit(add: ["a"]).isEmpty)
        #expect(!ListEdit(remove: ["a"]).isEmpty)
    }
}
