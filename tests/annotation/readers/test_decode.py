import codecs
import io
import json
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from annotation.readers.decode import LongLine, open_text, open_utf8, sniff_format
from annotation.readers.records import FileError
from tests.annotation.readers.streams import Counting

TEXT = "id,text\r\n1,👩‍💻 Alice 🇫🇷 met 阿里巴巴\n2,second\rthird\n"
LINES = ["id,text\r\n", "1,👩‍💻 Alice 🇫🇷 met 阿里巴巴\n", "2,second\r", "third\n"]




def lines(data: bytes, chunk_size: int = 1 << 20) -> list[str]:
    return list(open_text(io.BytesIO(data), chunk_size))


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode(),
        codecs.BOM_UTF8 + TEXT.encode(),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no mark, but plainly UTF-16
        TEXT.encode("utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be"],
)
def test_encodings_decode_to_the_same_lines(data):
    assert lines(data) == LINES
    assert lines(data, chunk_size=5) == LINES


def test_encoding_is_reported():
    assert (
        open_text(io.BytesIO(codecs.BOM_UTF16_BE + "a".encode("utf-16-be"))).encoding == "utf-16-be"
    )
    assert open_text(io.BytesIO(b"abc")).encoding == "utf-8"


@pytest.mark.parametrize("chunk_size", range(4, 24))
def test_line_endings_at_every_chunk_boundary(chunk_size):
    data = "a\r\nb\rc\n\r\n阿\r\r\nlast".encode()
    assert lines(data, chunk_size) == ["a\r\n", "b\r", "c\n", "\r\n", "阿\r", "\r\n", "last"]


def test_only_cr_lf_and_crlf_end_lines():
    text = "a\u2028b\x85c\x0cd\n"
    assert lines(text.encode()) == [text]


def test_a_long_line_spanning_many_chunks():
    text = "x" * 10_000 + "\n" + "y" * 5000
    assert lines(text.encode(), chunk_size=64) == ["x" * 10_000 + "\n", "y" * 5000]


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_file(data):
    with pytest.raises(FileError, match=r"The file is empty\."):
        lines(data)


def bad_offset(data: bytes, chunk_size: int = 1 << 20) -> int | None:
    with pytest.raises(FileError) as info:
        lines(data, chunk_size)
    assert f"at byte {info.value.byte_offset}" in str(info.value)
    return info.value.byte_offset


def test_invalid_utf8_reports_the_byte_offset():
    data = b"a" * 1000 + b"\xff" + b"tail\n"
    assert bad_offset(data) == 1000
    with pytest.raises(FileError, match=r"not valid UTF-8 at byte 1000 \(0xff"):
        lines(data)


def test_invalid_utf8_offset_counts_the_bom():
    assert bad_offset(codecs.BOM_UTF8 + b"a" * 1000 + b"\xff") == 1003


def test_invalid_byte_after_a_character_straddling_a_chunk_boundary():
    # 阿 takes bytes 1000..1002; the chunk boundary falls at 1001, inside it.
    data = b"a" * 1000 + "阿".encode() + b"\xff\n"
    assert bad_offset(data, chunk_size=1001) == 1003
    assert lines(data[:-2] + b"\n", chunk_size=1001) == ["a" * 1000 + "阿\n"]


def test_broken_sequence_straddling_a_chunk_boundary_points_at_its_first_byte():
    data = b"a" * 1000 + b"\xe9\x98" + b"A"  # a lead byte and one continuation, then ASCII
    for chunk_size in (1000, 1001, 1002, 1 << 20):
        assert bad_offset(data, chunk_size) == 1000


def test_truncated_sequence_at_the_end_of_the_file():
    assert bad_offset(b"abc\xe9\x98") == 3


def test_invalid_utf16():
    data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8" + "c".encode("utf-16-le")
    with pytest.raises(FileError, match="not valid UTF-16 at byte 6") as info:
        lines(data)
    assert info.value.byte_offset == 6
    assert bad_offset(codecs.BOM_UTF16_LE + b"a\x00b") == 4  # an odd byte at the end


def test_lines_stream_without_reading_everything():
    stream = Counting(b"first line\n" + b"x" * 5_000_000 + b"\n")
    first = next(iter(open_text(stream, chunk_size=4096)))
    assert first == "first line\n"
    assert stream.count <= 4096


def test_utf8_reader_reencodes_utf16_and_strips_the_bom():
    text = '[{"text": "阿里 🎉"}]'
    for data in (codecs.BOM_UTF16_LE + text.encode("utf-16-le"), codecs.BOM_UTF8 + text.encode()):
        reader = open_utf8(io.BytesIO(data), chunk_size=7)
        assert reader.read(0) == b""
        assert reader.peek().startswith(b"[")
        out = reader.read(3) + reader.read()
        assert out == text.encode()
        assert reader.read(10) == b""


def test_utf8_reader_validates():
    with pytest.raises(FileError, match="at byte 12"):
        open_utf8(io.BytesIO(b'[{"text": "a\xff"}]')).read()


LS_EXPORT = json.dumps(
    [
        {
            "id": 1,
            "data": {"text": "Alice"},
            "annotations": [
                {
                    "completed_by": 1,
                    "result": [
                        {
                            "id": "a",
                            "type": "labels",
                            "from_name": "label",
                            "to_name": "text",
                            "value": {"start": 0, "end": 5, "text": "Alice", "labels": ["PER"]},
                        }
                    ],
                }
            ],
        }
    ]
)


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("docs.jsonl", b'{"id": 1, "text": "a"}\n{"text": "b"}\n', "jsonl"),
        ("docs.json", b'{"id": 1, "text": "a"}\n', "jsonl"),
        ("upload", b'{"text": "a", "gold": {"entities": []}}\n', "jsonl"),
        ("docs.json", b'[{"id": 1, "text": "a"}]', "json"),
        ("docs.json", b'  \n[{"text": "a", "annotations": [{"annotator": "x"}]}', "json"),
        ("export.json", LS_EXPORT.encode(), "label-studio"),
        ("export.json", LS_EXPORT.encode()[:80], "label-studio"),  # cut short
        ("upload", b'[{"data": {"text": "a"}, "predictions": []}]', "label-studio"),
        ("tasks.json", codecs.BOM_UTF16_LE + LS_EXPORT.encode("utf-16-le"), "label-studio"),
        ("all.jsonl", b'{"id": 1, "text": "a", "label": [[0, 1, "PER"]]}\n', "doccano"),
        ("all.jsonl", b'{"text": "a", "label": ["positive"]}\n', "doccano"),
        (
            "admin.json",
            b'{"text": "a", "entities": [{"id": 1, "start_offset": 0, "end_offset": 1,'
            b' "label": "X"}], "relations": []}\n',
            "doccano",
        ),
        ("all.jsonl", b'{"text": "' + b"a" * 100 + b'", "label": [[0, 1', "doccano"),  # cut short
        ("data.csv", b"id,text\n1,hello\n", "csv"),
        ("data", b"id,text,source\n1,hello,x\n", "csv"),
        ("data.tsv", b"id\ttext\n1\thello\n", "tsv"),
        ("data", b"text\tlang\nhello\ten\n", "tsv"),
        ("notes.txt", b"Just some text, with commas.\nAnother line.\n", "txt"),
        ("notes", b"Just some text, with commas.\n", "txt"),
        ("eng.train", b"-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n", "conll"),
        ("train.txt", b"EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\n", "conll"),
        ("zh.bio", "阿 B-ORG\n里 I-ORG\n".encode(), "conll"),
        ("x.conll", b"anything", "conll"),
    ],
)
def test_sniff_format(name, head, expected):
    assert sniff_format(name, head) == expected


# Lines over a limit: never joined, only counted (docs/imports.md, Hostile files).

_PIECES = st.sampled_from(["a", "bc", "\n", "\r", "\r\n", "é", "阿", "😀", "x" * 30])


@hyp_settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(pieces=st.lists(_PIECES, min_size=1, max_size=40), chunk_size=st.integers(4, 40),
       limit=st.integers(1, 60) | st.none())
def test_lines_split_as_a_text_file_does_and_long_ones_are_counted(pieces, chunk_size, limit):
    text = "".join(pieces)
    expected = list(io.StringIO(text, newline=""))
    got = list(open_text(io.BytesIO(text.encode()), chunk_size, limit))
    assert [type(line) is LongLine for line in got] == [
        limit is not None and len(line) > limit for line in expected]
    assert [line.chars if type(line) is LongLine else line for line in got] == [
        len(line) if limit is not None and len(line) > limit else line for line in expected]


def test_a_200_mb_line_is_counted_without_being_held():
    class Endless(io.RawIOBase):  # 200 MB of one line, then a short one: made as it is read
        def __init__(self) -> None:
            self.left = 200 * 1024 * 1024

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            if self.left <= 0:
                tail = b"\nshort\n"[: len(buffer)] if self.left == 0 else b""
                self.left -= 1
                buffer[: len(tail)] = tail
                return len(tail)
            n = min(len(buffer), self.left)
            buffer[:n] = b"x" * n
            self.left -= n
            return n

    tracemalloc.start()
    try:
        got = list(open_text(io.BufferedReader(Endless()), max_line_chars=16_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(line) for line in got] == [LongLine, str]
    assert got[0].chars == 200 * 1024 * 1024 + 1
    assert got[1] == "short\n"
    assert peak < 40_000_000  # the limit (16 M characters) and a chunk, never the line
