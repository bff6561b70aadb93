"""A custom operator's custom_options: a flexbuffer map <-> the IR's options dict, with the
`flatbuffers` package's flexbuffers module.

Values become Python scalars: int (flexbuffers INT), bool, float, None (NULL), str; an unsigned
number becomes ``Unsigned`` and an indirect one (stored behind an offset instead of in the map's
own slot) ``Indirect``, because TFLite Micro's FlexbufferWrapper, which most custom operators read
their options with, reads a slot's raw bytes as a signed integer and would misread both (the
operator modules refuse them there). Vectors, maps and blobs are kept as ``Unread`` markers: no
operator here reads one.
Keys keep the map's (sorted) order, the positions TFLite Micro reads by."""
from __future__ import annotations

from dataclasses import dataclass

from flatbuffers import flexbuffers

from ..errors import ModelError


@dataclass(frozen=True)
class Indirect:
    """A number stored behind an offset (flexbuffers INDIRECT_INT, _UINT, _FLOAT)."""

    value: int | float


@dataclass(frozen=True)
class Unsigned:
    """An unsigned integer (flexbuffers UINT)."""

    value: int


@dataclass(frozen=True)
class Unread:
    """A vector, map or blob value, by its flexbuffers type name."""

    type: str


def _value(ref):
    t = ref._type  # (no public accessor)
    if t is flexbuffers.Type.INT:
        return int(ref.AsInt)
    if t is flexbuffers.Type.UINT:
        return Unsigned(int(ref.AsInt))
    if t is flexbuffers.Type.BOOL:
        return bool(ref.AsBool)
    if t is flexbuffers.Type.FLOAT:
        return float(ref.AsFloat)
    if t is flexbuffers.Type.NULL:
        return None
    if t in (flexbuffers.Type.INDIRECT_INT, flexbuffers.Type.INDIRECT_UINT):
        return Indirect(int(ref.AsInt))
    if t is flexbuffers.Type.INDIRECT_FLOAT:
        return Indirect(float(ref.AsFloat))
    if t is flexbuffers.Type.STRING:
        return ref.AsString
    return Unread(t.name)


def read_map(raw: bytes, where: str) -> dict:
    """custom_options bytes -> {key: value}; a ModelError naming `where` if they are no map."""
    try:
        root = flexbuffers.GetRoot(raw)
        if not root.IsMap:
            raise ModelError(f"{where}: custom_options are a flexbuffer "
                             f"{root._type.name}, not a map")
        m = root.AsMap
        if len(m) > len(raw):
            raise ModelError(f"{where}: custom_options claim {len(m)} entries")
        keys, values = m.Keys, m.Values
        return {keys[k].AsKey: _value(values[k]) for k in range(len(m))}
    except ModelError:
        raise
    except Exception as exc:  # an offset outside the bytes, an unknown type
        raise ModelError(f"{where}: malformed flexbuffer custom_options ({type(exc).__name__}: "
                         f"{exc})") from None


def write_map(options: dict) -> bytes:
    """{key: int | bool | float | None | str | Unsigned | Indirect} -> flexbuffer map bytes
    (keys sorted), each value of the type read_map reads it as."""
    fbb = flexbuffers.Builder()
    with fbb.Map():
        for key, v in sorted(options.items()):
            fbb.Key(key)
            if isinstance(v, Unsigned):
                fbb.UInt(v.value)
            elif isinstance(v, Indirect):
                (fbb.IndirectFloat if isinstance(v.value, float) else fbb.IndirectInt)(v.value)
            elif v is None:
                fbb.Null()
            elif isinstance(v, (bool, int, float, str)):
                fbb.Add(v)
            else:
                raise ValueError(f"custom option {key}={v!r}: only numbers, bools, strings and "
                                 "None can be written")
    return bytes(fbb.Finish())
