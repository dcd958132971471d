import BackOffice
import Testing

/// Which names `org add` and `person add` ask about (issue 16 item 6).
@Suite("close names")
struct LikenessTests {
    @Test(
        "close: case, accents, punctuation, word order, a prefix word for word, a letter or two for the length",
        arguments: [
            ("Sam O'Neill", "sam o'neill"), ("Sam O'Neill", "O'Neill, Sam"), ("Sam O'Neill", "Sam ONeill"),
            ("Zoë Brontë", "Zoe Bronte"), ("Harbour Bakery", "Harbour Bakery Co"), ("Harbour Bakery", "Bakery Harbour"),
            // "jonsmith" and "johnsmith": 1 edit, and 9 letters allow max(1, 9 / 8) = 1.
            ("Jon Smith", "John Smith"),
            // "harbourbakery" and "harborbakery": 1 edit, 13 letters allow 1.
            ("Harbour Bakery", "Harbor Bakery"),
        ])
    func close(_ pair: (String, String)) {
        #expect(Likeness.similar(pair.0, pair.1))
        #expect(Likeness.similar(pair.1, pair.0))
    }

    @Test(
        "not close: other people, other numbers, a short prefix, too many edits",
        arguments: [
            ("Sam O'Neill", "Ada Lane"), ("Branch 1", "Branch 2"), ("Sam Reed", "Sam Reid Jones"), ("Al", "Al Smith"),
            // "annsmith" and "tomsmith": 3 edits, 8 letters allow 1.
            ("Ann Smith", "Tom Smith"), ("Camden Libraries", "Haringey Libraries"), ("", "Sam"), ("!!", "!!"),
        ])
    func notClose(_ pair: (String, String)) {
        #expect(!Likeness.similar(pair.0, pair.1))
        #expect(!Likeness.similar(pair.1, pair.0))
    }
}
