"""Plain text: one document a line (``txt_mode="lines"``), or the whole file as one document.

In ``lines`` mode a line is a document unless it is blank (whitespace only); its text is the
line without its ending, and ``line`` is its physical line number. In ``document`` mode the
text is the whole file exactly as decoded, newlines included, at line 1.
"""

from collections.abc import Iterable, Iterator

from annotation.readers.records import FileError, Problem, Record


def read_txt(lines: Iterable[str], *, txt_mode: str = "lines") -> Iterator[Record | Problem]:
    if txt_mode == "document":
        yield Record(1, "".join(lines))
        return
    if txt_mode != "lines":
        raise FileError(f"Unknown txt_mode {txt_mode!r}: use 'lines' or 'document'.")
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield Record(number, line.rstrip("\r\n"))
