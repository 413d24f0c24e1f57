import codecs
import io

import pytest

from annotation.readers import formats
from annotation.readers.records import FileError, Problem, Record


def read(fmt: str, data: bytes, **options: object) -> list[Record | Problem]:
    return list(formats.read(fmt, io.BytesIO(data), **options))


def test_csv_columns_id_text_and_meta():
    data = 'id,text,source,lang\n1,Alice met 阿里巴巴 🎉,news,\n2,"Hello, world",,en\n'
    assert read("csv", data.encode()) == [
        Record(2, "Alice met 阿里巴巴 🎉", "1", {"source": "news"}),
        Record(3, "Hello, world", "2", {"lang": "en"}),
    ]


def test_quoted_newlines_keep_physical_line_numbers():
    data = b'text,id\r\n"first\r\nsecond\r\nthird",a\r\nnext,b\r\n\r\n"x\ny",c\nlast,d'
    items = read("csv", data)
    assert [(r.line, r.text, r.id) for r in items] == [
        (2, "first\r\nsecond\r\nthird", "a"),
        (5, "next", "b"),
        (7, "x\ny", "c"),
        (9, "last", "d"),
    ]


def test_missing_text_column_is_a_file_error():
    with pytest.raises(FileError) as info:
        read("csv", b"id,body,source\n1,hello,x\n")
    assert str(info.value) == "no column 'text' in the header; columns are: id, body, source"


def test_text_and_id_columns_are_options():
    data = b"key,body,text\nk1,hello,other\n"
    assert read("csv", data, text_column="body", id_column="key") == [
        Record(2, "hello", "k1", {"text": "other"})
    ]
    assert read("csv", data, text_column="body", id_column=None) == [
        Record(2, "hello", None, {"key": "k1", "text": "other"})
    ]
    assert read("csv", b"text\nhello\n", id_column="nope") == [Record(2, "hello")]


def test_wrong_field_count_is_a_problem_and_reading_goes_on():
    data = b"id,text\n1,a\n2,b,extra\n3\n4,d\n"
    assert read("csv", data) == [
        Record(2, "a", "1"),
        Problem(3, "", "expected 2 fields, found 3"),
        Problem(4, "", "expected 2 fields, found 1"),
        Record(5, "d", "4"),
    ]


def test_duplicate_ids_and_empty_ids():
    data = b"id,text\nx,a\n,b\nx,c\n,d\n"
    assert read("csv", data) == [
        Record(2, "a", "x"),
        Record(3, "b"),
        Problem(4, "id", "duplicate id 'x' (first seen on line 2)"),
        Record(5, "d"),
    ]


def test_bom_and_utf16():
    text = "text,id\n阿里巴巴,1\n"
    assert read("csv", codecs.BOM_UTF8 + text.encode()) == [Record(2, "阿里巴巴", "1")]
    assert read("csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == [
        Record(2, "阿里巴巴", "1")
    ]


def test_tsv():
    data = b'id\ttext\tsource\n1\tHe said "hi", then left\tweb\n2\t"tab\there"\t\n'
    assert read("tsv", data) == [
        Record(2, 'He said "hi", then left', "1", {"source": "web"}),
        Record(3, "tab\there", "2"),
    ]


def test_header_problems():
    with pytest.raises(FileError, match="appears twice"):
        read("csv", b"text,a,a\nx,1,2\n")
    with pytest.raises(FileError, match="no header row"):
        read("csv", b"\n\n")
    assert read("csv", b"text\n") == []
    assert read("csv", b"text,,\nhello,,x\n") == [Record(2, "hello", None, {"column_3": "x"})]


def test_long_fields():
    big = "x" * 300_000
    assert read("csv", f"text\n{big}\n".encode()) == [Record(2, big)]
