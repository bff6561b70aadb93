from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..component import Need
from ..config import Key
from ..errors import ConfigError
from .base import Postprocess, split_list


class Plot(Postprocess):
    """Write the session's figures (instructions, ROM, RAM per model; per-operator instructions when
    profile data exist) as PNG and SVG into `<session>/plots/` (or `plot.dir`). Also `-f plot`."""

    name = "plot"
    description = "bar charts of instructions, ROM and RAM as PNG/SVG into <session>/plots"
    keys = (
        Key("dir", str, "", "output folder (default: the session's plots/ folder)"),
        Key("formats", str, "png,svg", "file formats, comma-separated (png, svg, pdf)"),
    )
    needs = (Need("matplotlib", "pip install matplotlib", "python"),)

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        from ..plot import plot_session

        formats = tuple(split_list(self["formats"]))
        bad = [f for f in formats if f not in ("png", "svg", "pdf")]
        if bad:
            raise ConfigError(f"plot.formats: unknown format {', '.join(bad)}; use png, svg, pdf")
        if self["dir"]:
            out = Path(self["dir"]).expanduser()
        elif self.session_dir is not None:
            out = Path(self.session_dir) / "plots"
        else:
            raise ConfigError("plot: no output folder: set plot.dir")
        paths = plot_session(df, out, self.session_dir, formats)
        self.notes.append(f"plots: {len(paths)} files in {out}" if paths
                          else "plots: no data to plot")
        return df
