import io

import pytest

from annotation.readers import formats
from annotation.readers.records import FileError, Record


def read(data: bytes, **options: object) -> list:
    return list(formats.read("txt", io.BytesIO(data), **options))


def test_lines_mode_skips_blank_lines_and_counts_physical_lines():
    data = "first 🎉\r\n\r\n  \n阿里巴巴\rlast".encode()
    assert read(data) == [Record(1, "first 🎉"), Record(4, "阿里巴巴"), Record(5, "last")]


def test_lines_mode_keeps_inner_spaces():
    assert read(b"  indented \n") == [Record(1, "  indented ")]


def test_document_mode_is_the_whole_file():
    data = "Title\r\n\r\nBody 阿里巴巴.\n".encode()
    assert read(data, txt_mode="document") == [Record(1, "Title\r\n\r\nBody 阿里巴巴.\n")]
    assert read(data, txt_mode="document", chunk_size=4) == read(data, txt_mode="document")


def test_unknown_mode_and_empty_file():
    with pytest.raises(FileError, match="txt_mode"):
        read(b"a", txt_mode="pages")
    with pytest.raises(FileError, match="empty"):
        read(b"")
