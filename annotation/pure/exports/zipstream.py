"""A zip archive written as a stream: each added entry returns the bytes it produced, so a
writer can yield them at once. Entries carry a fixed date (1980-01-01), fixed permissions and
a fixed creating system, so the same contents give the same bytes."""

import zipfile
from collections.abc import Iterable, Iterator

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


class _Sink:
    """A write-only, non-seekable file: zipfile then writes data descriptors and never seeks."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


class ZipStream:
    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", zipfile.ZIP_DEFLATED)

    @staticmethod
    def _info(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        return info

    def add(self, name: str, data: bytes) -> bytes:
        self._zip.writestr(self._info(name), data)
        return self._sink.take()

    def close(self) -> bytes:
        self._zip.close()
        return self._sink.take()

    def stream(self, name: str, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """One entry written from ``pieces`` as they come (zip64, so it may pass 4 GiB)."""
        with self._zip.open(self._info(name), "w", force_zip64=True) as entry:
            for piece in pieces:
                entry.write(piece)
                data = self._sink.take()
                if data:
                    yield data
        yield self._sink.take()
