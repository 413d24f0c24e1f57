"""A small MessagePack encoder (the stdlib has none), byte-for-byte like ``msgpack.packb(obj,
use_bin_type=True)`` (``srsly.msgpack_dumps``) for the types it accepts: None, bool, int,
float (always float 64), str, bytes, list/tuple and dict (in insertion order)."""

import struct
from typing import Any


def _int(value: int) -> bytes:
    if 0 <= value <= 0x7F:
        return bytes((value,))
    if -32 <= value < 0:
        return struct.pack(">b", value)
    if value > 0:
        for limit, code, fmt in ((0xFF, 0xCC, ">B"), (0xFFFF, 0xCD, ">H"),
                                 (0xFFFFFFFF, 0xCE, ">I"), (0xFFFFFFFFFFFFFFFF, 0xCF, ">Q")):
            if value <= limit:
                return bytes((code,)) + struct.pack(fmt, value)
    else:
        for low, code, fmt in ((-0x80, 0xD0, ">b"), (-0x8000, 0xD1, ">h"),
                               (-0x80000000, 0xD2, ">i"), (-0x8000000000000000, 0xD3, ">q")):
            if value >= low:
                return bytes((code,)) + struct.pack(fmt, value)
    raise OverflowError(f"integer {value} does not fit in 64 bits")


def str_header(length: int) -> bytes:
    if length < 32:
        return bytes((0xA0 | length,))
    if length <= 0xFF:
        return bytes((0xD9, length))
    if length <= 0xFFFF:
        return b"\xda" + struct.pack(">H", length)
    return b"\xdb" + struct.pack(">I", length)


def bin_header(length: int) -> bytes:
    if length <= 0xFF:
        return bytes((0xC4, length))
    if length <= 0xFFFF:
        return b"\xc5" + struct.pack(">H", length)
    return b"\xc6" + struct.pack(">I", length)


def array_header(length: int) -> bytes:
    if length < 16:
        return bytes((0x90 | length,))
    if length <= 0xFFFF:
        return b"\xdc" + struct.pack(">H", length)
    return b"\xdd" + struct.pack(">I", length)


def map_header(length: int) -> bytes:
    if length < 16:
        return bytes((0x80 | length,))
    if length <= 0xFFFF:
        return b"\xde" + struct.pack(">H", length)
    return b"\xdf" + struct.pack(">I", length)


def _pack(value: Any, out: list[bytes]) -> None:
    if value is None:
        out.append(b"\xc0")
    elif value is True:
        out.append(b"\xc3")
    elif value is False:
        out.append(b"\xc2")
    elif isinstance(value, int):
        out.append(_int(value))
    elif isinstance(value, float):
        out.append(b"\xcb" + struct.pack(">d", value))
    elif isinstance(value, str):
        data = value.encode("utf-8")
        out.append(str_header(len(data)))
        out.append(data)
    elif isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        out.append(bin_header(len(data)))
        out.append(data)
    elif isinstance(value, list | tuple):
        out.append(array_header(len(value)))
        for item in value:
            _pack(item, out)
    elif isinstance(value, dict):
        out.append(map_header(len(value)))
        for key, item in value.items():
            _pack(key, out)
            _pack(item, out)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as MessagePack")


def packb(value: Any) -> bytes:
    """``value`` encoded as MessagePack."""
    out: list[bytes] = []
    _pack(value, out)
    return b"".join(out)
