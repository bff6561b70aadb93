"""C structs declared once, in Python, and everything else derived from that declaration.

A kernel's params struct (what the aot backend initializes) and an interpreter record (what the
interpreter's C setup keeps in its arena) cross the Python/C boundary. Each is declared here once,
as a ``Struct`` of typed fields; from it come
- the C ``typedef`` in a header generated at BUILD time (``mb_params.h`` for kernel params,
  ``mbi_records.h`` for interpreter records; ``write_headers``), with a compile-time size check;
- its size and alignment for the target's pointer width (``size``), which the interp backend adds
  up to compute the arena offline;
- typed values: ``STRUCT(field=value, ...)`` is a frozen dataclass instance (every field required,
  no unknown one), whose ``c_init()`` is the aot backend's C initializer;
- a ``ctypes`` mirror for the tests that call kernels or read records on the host (``ctype``).

Field types are fixed-width integers, float, pointers and nested structs (and arrays of those);
layout follows the C rules every target here uses (each field at a multiple of its alignment, the
size rounded up to the largest one; int64 aligned to 8).
"""
from __future__ import annotations

import ctypes
import dataclasses
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PARAMS = "mb_params.h"  # kernel parameters (runtime/kernels, runtime/include)
RECORDS = "mbi_records.h"  # the interpreter's arena records (runtime/interp)
HEADERS = (PARAMS, RECORDS)
FLT_MAX = "3.40282347e+38f"  # <float.h>'s FLT_MAX: TFLite's bound for an open float range


@dataclass(frozen=True)
class CType:
    """A scalar C type: fixed-width integer, float, or a pointer (size 0: the target's width)."""

    c: str
    size: int
    kind: str  # "int" | "float" | "ptr"
    ctypes: object = None
    signed: bool = True
    target: object = None  # a pointer's element type (CType or Struct)

    def host(self, ptr_bytes: int):
        """The ctypes type of a field (a pointer: a typed pointer to the element)."""
        if self.kind != "ptr":
            return self.ctypes
        elem = self.target.ctype(ptr_bytes) if isinstance(self.target, Struct) else \
            self.target.ctypes
        return ctypes.POINTER(elem)

    def layout(self, ptr_bytes: int) -> tuple[int, int]:
        n = ptr_bytes if self.kind == "ptr" else self.size
        return n, n


I8 = CType("int8_t", 1, "int", ctypes.c_int8)
U8 = CType("uint8_t", 1, "int", ctypes.c_uint8, False)
I16 = CType("int16_t", 2, "int", ctypes.c_int16)
U16 = CType("uint16_t", 2, "int", ctypes.c_uint16, False)
I32 = CType("int32_t", 4, "int", ctypes.c_int32)
U32 = CType("uint32_t", 4, "int", ctypes.c_uint32, False)
I64 = CType("int64_t", 8, "int", ctypes.c_int64)
F32 = CType("float", 4, "float", ctypes.c_float)


def ptr(to: CType | Struct, const: bool = True) -> CType:
    """A pointer field: in an initializer, a C expression (an array's name) or None for null."""
    return CType(f"{'const ' if const else ''}{to.c} *", 0, "ptr", ctypes.c_void_p, target=to)


@dataclass(frozen=True)
class Const:
    """A compile-time constant both sides use (an array length, an alignment): a #define."""

    name: str
    value: int
    doc: str = ""
    header: str = PARAMS

    def __post_init__(self):
        _register(self)

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value


@dataclass(frozen=True)
class Field:
    name: str
    type: CType | Struct
    count: int | Const | None = None  # array length
    doc: str = ""

    @property
    def py(self) -> str:
        """The attribute name in Python (a keyword such as `in` gets a trailing underscore)."""
        return self.name + "_" if keyword.iskeyword(self.name) else self.name

    @property
    def length(self) -> int | None:
        return None if self.count is None else int(self.count)

    def layout(self, ptr_bytes: int) -> tuple[int, int]:
        size, align = self.type.layout(ptr_bytes)
        return size * (self.length or 1), align


def fields(ctype: CType | Struct, *names: str, count: int | Const | None = None,
           doc: str = "") -> list[Field]:
    """Fields of one type declared on one line of the C struct (the doc comments that line)."""
    return [Field(n, ctype, count, doc if k == len(names) - 1 else "")
            for k, n in enumerate(names)]


class Struct:
    """A C struct typedef: ``Struct(name, doc, fields(I32, "a", "b"), fields(...), ...)``."""

    def __init__(self, c: str, doc: str, *groups: list[Field], header: str = PARAMS):
        self.c, self.doc, self.header = c, doc, header
        self.groups = [list(g) for g in groups]
        self.fields = [f for g in self.groups for f in g]
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"{c}: a field is declared twice")
        # the typed values: a frozen dataclass with one required attribute per field
        self.cls = dataclasses.make_dataclass(
            _camel(c), [(f.py, object) for f in self.fields], frozen=True,
            namespace={"struct": self, "c_init": _value_c})
        self._ctypes: dict[int, type] = {}
        _register(self)

    def __repr__(self) -> str:
        return f"Struct({self.c})"

    def __call__(self, **values):
        unknown = set(values) - {f.py for f in self.fields}
        if unknown:
            raise TypeError(f"{self.c} has no field(s) {', '.join(sorted(unknown))}")
        return self.cls(**values)

    # layout --------------------------------------------------------------------------------
    def layout(self, ptr_bytes: int = 4) -> tuple[int, int]:
        """(size, alignment) in bytes for pointers of `ptr_bytes` bytes."""
        offset, align = 0, 1
        for f in self.fields:
            size, a = f.layout(ptr_bytes)
            offset = -(-offset // a) * a + size
            align = max(align, a)
        return -(-offset // align) * align, align

    def size(self, ptr_bytes: int = 4) -> int:
        return self.layout(ptr_bytes)[0]

    @property
    def has_pointers(self) -> bool:
        return self.size(4) != self.size(8)

    # C text --------------------------------------------------------------------------------
    def typedef(self) -> str:
        lines = [_comment_block(self.doc)] if self.doc else []
        lines.append("typedef struct {")
        for group in self.groups:
            f0 = group[0]
            decl = ", ".join(n.name + (f"[{_count_c(n.count)}]" if n.count is not None else "")
                             for n in group)
            sep = "" if f0.type.c.endswith("*") else " "
            doc = next((f.doc for f in group if f.doc), "")
            line = f"  {f0.type.c}{sep}{decl};"
            if doc and len(line) + len(doc) + 7 > 100:  # the comment on the lines above
                lines.append("  " + _comment_block(doc, 96).replace("\n", "\n  "))
            elif doc:
                line += f" /* {doc} */"
            lines.append(line)
        lines.append(f"}} {self.c};")
        lines.append(f"MB_CHECK_SIZE({self.c}, {self.size(4)}, {self.size(8)});")
        return "\n".join(lines)

    # host mirror -----------------------------------------------------------------------------
    def ctype(self, ptr_bytes: int = ctypes.sizeof(ctypes.c_void_p)) -> type:
        """A ctypes.Structure with this layout (pointers as c_void_p on the host)."""
        if ptr_bytes not in self._ctypes:
            members = []
            for f in self.fields:
                t = f.type.ctype(ptr_bytes) if isinstance(f.type, Struct) else \
                    f.type.host(ptr_bytes)
                members.append((f.name, t * f.length if f.count is not None else t))
            cls = type(_camel(self.c) + "C", (ctypes.Structure,), {"_fields_": members})
            if ctypes.sizeof(cls) != self.size(ptr_bytes):
                raise AssertionError(f"{self.c}: ctypes size {ctypes.sizeof(cls)} != "
                                     f"{self.size(ptr_bytes)}")
            self._ctypes[ptr_bytes] = cls
        return self._ctypes[ptr_bytes]

    def read(self, raw) -> dict:
        """A record's field values from its bytes (a ctypes instance or bytes): nested structs as
        dicts, arrays as lists (for comparing C setup's records with Python's values)."""
        obj = self.ctype().from_buffer_copy(bytes(raw)) if not isinstance(raw, ctypes.Structure) \
            else raw
        out = {}
        for f in self.fields:
            v = getattr(obj, f.name)
            if isinstance(f.type, Struct):
                out[f.py] = [f.type.read(x) for x in v] if f.count is not None else \
                    f.type.read(v)
            else:
                out[f.py] = list(v) if f.count is not None else v
        return out

    # layout-compatible aliases: typedef mb_logistic_params mb_tanh_params; -------------------
    def alias(self, name: str) -> Alias:
        return Alias(name, self)


@dataclass(frozen=True)
class Alias:
    c: str
    of: Struct

    def __post_init__(self):
        _register(self)

    def __getattr__(self, item):
        return getattr(self.of, item)

    def __call__(self, **values):
        return self.of(**values)


# --- values -> C initializers ---------------------------------------------------------------------

def c_int(v) -> str:
    """A C integer literal valid for every int32 and int64 (INT32_MIN has no literal of its own)."""
    v = int(v)
    if v == -(1 << 31):
        return "(-2147483647 - 1)"
    if v == -(1 << 63):
        return "(-9223372036854775807LL - 1)"
    return str(v) if -(1 << 31) <= v < (1 << 31) else f"{v}LL"


def c_float(v) -> str:
    """A C float literal that reads back as exactly this float32 (numpy's shortest round-trip
    digits); +-inf becomes +-FLT_MAX, as TFLite bounds an open activation range."""
    x = np.float32(v)
    if np.isinf(x):
        return ("-" if x < 0 else "") + FLT_MAX
    text = str(x)
    return text + ("f" if "." in text or "e" in text else ".0f")


def _scalar_c(t: CType, v) -> str:
    if isinstance(v, str):  # a C expression (an array's name, a cast, FLT_MAX)
        return v
    if t.kind == "ptr":
        if v is None or v == 0:
            return "0"
        raise TypeError(f"pointer field value {v!r}: give a C expression or None")
    return c_float(v) if t.kind == "float" else c_int(v)


def _field_c(f: Field, v) -> str:
    def one(x) -> str:
        if isinstance(x, str):  # a C expression, or an initializer rendered already
            return x
        if isinstance(f.type, Struct):
            if dataclasses.is_dataclass(x):
                return x.c_init()
            if isinstance(x, dict):
                return f.type(**x).c_init()
            return "{" + ", ".join(_scalar_c(g.type, y) for g, y in zip(f.type.fields, x)) + "}"
        return _scalar_c(f.type, x)
    if f.count is not None:
        items = list(v)
        if len(items) > f.length:  # fewer: C zero-fills the rest
            raise ValueError(f"field {f.name} holds {f.length} values, got {len(items)}")
        return "{" + ", ".join(one(x) for x in items) + "}"
    return one(v)


def _value_c(self) -> str:
    """The C initializer of a struct value: designated fields in declaration order."""
    return "{" + ", ".join(f".{f.name} = {_field_c(f, getattr(self, f.py))}"
                           for f in self.struct.fields) + "}"


# --- the registry and the generated headers -------------------------------------------------------

_DECLARED: dict[str, Struct | Const | Alias] = {}


def _register(item) -> None:
    name = item.name if isinstance(item, Const) else item.c
    old = _DECLARED.get(name)
    if old is not None and old is not item and not _same(old, item):
        raise ValueError(f"{name} is declared twice, differently")
    _DECLARED.setdefault(name, item)


def _same(a, b) -> bool:
    if isinstance(a, Struct) and isinstance(b, Struct):
        return a.typedef() == b.typedef() and a.header == b.header
    return a == b


def declared(header: str | None = None) -> list:
    """Everything declared for `header` (all headers: None), dependencies first, ties by name."""
    import mcubench.ops  # noqa: F401 - every operator module declares its structs on import

    items = [d for d in _DECLARED.values() if header is None or _header(d) == header]
    order: list = []
    seen: set[str] = set()

    def visit(d) -> None:
        key = d.name if isinstance(d, Const) else d.c
        if key in seen:
            return
        seen.add(key)
        for dep in _deps(d):
            if _header(dep) == _header(d):
                visit(dep)
        order.append(d)
    for d in sorted(items, key=lambda d: (not isinstance(d, Const),
                                          d.name if isinstance(d, Const) else d.c)):
        visit(d)
    return order


def _header(d) -> str:
    return d.of.header if isinstance(d, Alias) else d.header


def _deps(d) -> list:
    if isinstance(d, Alias):
        return [d.of]
    if isinstance(d, Const):
        return []
    out = []
    for f in d.fields:
        if isinstance(f.type, Struct):
            out.append(f.type)
        if isinstance(f.count, Const):
            out.append(f.count)
        kind = getattr(f.type, "kind", "struct")
        m = re.match(r"(?:const )?(\w+) \*$", f.type.c) if kind == "ptr" else None
        if m and m.group(1) in _DECLARED:
            out.append(_DECLARED[m.group(1)])
    return out


def header_text(header: str) -> str:
    guard = header.upper().replace(".", "_")
    lines = [f"/* {header}: generated by mcubench from the struct declarations in mcubench/ops/",
             " * (ops/common/cstruct.py). Do not edit: every size here is derived from those",
             " * declarations, and checked at compile time. */",
             f"#ifndef {guard}", f"#define {guard}", "", "#include <stdint.h>", ""]
    if header == PARAMS:
        lines += ["/* sizeof(type) with 4-byte pointers, and with 8-byte ones (a 64-bit host). */",
                  "#define MB_CHECK_SIZE(type, bytes32, bytes64)                        \\",
                  "  typedef char mb_size_of_##type[sizeof(type) == (sizeof(void *) == 4 ? \\",
                  "                                  (bytes32) : (bytes64)) ? 1 : -1]", ""]
    else:
        lines += [f'#include "{PARAMS}"', ""]
    for d in declared(header):
        if isinstance(d, Const):
            define = f"#define {d.name} {d.value}"
            if d.doc and len(define) + len(d.doc) + 7 > 100:
                lines.append(_comment_block(d.doc))
            elif d.doc:
                define += f" /* {d.doc} */"
            lines.append(define)
        elif isinstance(d, Alias):
            lines += [f"typedef {d.of.c} {d.c};", ""]
        else:
            lines += [d.typedef(), ""]
    if lines[-1] != "":
        lines.append("")
    return "\n".join(lines + [f"#endif /* {guard} */", ""])


def write_headers(folder: Path, headers=HEADERS) -> list[Path]:
    """The generated headers, written into `folder` (a build folder, or a test's include dir)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for h in headers:
        path = folder / h
        text = header_text(h)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
        out.append(path)
    return out


def _camel(c: str) -> str:
    return "".join(p.capitalize() for p in c.split("_"))


def _count_c(count) -> str:
    return count.name if isinstance(count, Const) else str(count)


def _comment_block(doc: str, width: int = 98) -> str:
    import textwrap

    text = " ".join(doc.split())
    body = textwrap.wrap(text, width - 4)
    if len(body) == 1 and len(body[0]) <= 92:
        return f"/* {body[0]} */"
    return "/* " + "\n * ".join(body) + " */"


if __name__ == "__main__":  # python -m mcubench.ops.common.cstruct DIR: the headers, to read them
    import sys

    from mcubench.ops.common import cstruct  # the package's module, which the operators fill

    for p in cstruct.write_headers(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(p)
