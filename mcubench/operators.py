"""What the C backends run, per operator and type, from the operator modules' declarations
(``OpSpec.types``, ``ulp``, ``note``): `mcubench list operators` and the README's operator table
(``python -m mcubench.operators`` prints it; a test keeps the README's copy equal)."""
from __future__ import annotations

from .ops import SPECS

COLUMNS = ("int8", "int16", "int32", "uint32", "uint64", "float32", "bool")


def pairs() -> list[tuple[str, str]]:
    """Every (operator, type) the aot and interp backends run."""
    return [(kind, t) for kind, spec in sorted(SPECS.items()) for t in spec.types]


def _cell(spec, column: str) -> str:
    types = [t for t in spec.types if t == column or t.split("->")[0] == column]
    if not types:
        return ""
    if types != [column]:  # type conversions: name them
        return ", ".join(types)
    if column == "float32":
        return f"within {spec.ulp} ulp" if spec.ulp else "exact"
    return "bit-exact"


def markdown() -> str:
    """One row per group of operators that run the same types the same way."""
    groups: dict[tuple, list[str]] = {}
    for kind, spec in sorted(SPECS.items()):
        row = tuple(_cell(spec, c) for c in COLUMNS) + (spec.note,)
        groups.setdefault(row, []).append(kind)
    used = [i for i, c in enumerate(COLUMNS) if any(row[i] for row in groups)]
    head = ["operators", *(COLUMNS[i] for i in used), "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row, kinds in sorted(groups.items(), key=lambda g: g[1][0]):
        cells = [", ".join(kinds), *(row[i] for i in used), row[-1]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
