from annotation.pure.highlight import Piece, pieces


def test_pieces_cover_the_text_once_with_the_labels_over_them():
    text = "Alice joined 阿里巴巴 🎉"
    got = pieces(text, [(0, 5, "PER"), (13, 17, "ORG"), (0, 12, "X")])
    assert "".join(p.text for p in got) == text
    assert got == [Piece("Alice", ("PER", "X"), 0), Piece(" joined", ("X",), 5),
                   Piece(" ", (), 12), Piece("阿里巴巴", ("ORG",), 13), Piece(" 🎉", (), 17)]


def test_no_spans_empty_text_and_spans_outside_the_text():
    assert pieces("abc", []) == [Piece("abc", (), 0)]
    assert pieces("", [(0, 3, "X")]) == []
    assert pieces("abc", [(2, 9, "X"), (5, 7, "Y"), (-1, 1, "Z")]) == [
        Piece("a", ("Z",), 0), Piece("b", (), 1), Piece("c", ("X",), 2)]
