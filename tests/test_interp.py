"""The interp backend: the .tflite bytes unchanged in flash, a C interpreter reading them at setup.

- The four MLPerf Tiny models: built, compiled with the harness (the interpreter under
  ``-Wall -Wextra -Werror -ffreestanding``), run natively, bit-exact with TFLite Micro.
- Random single-op models: the interpreter, every operator and kernel compiled once into a host
  shared library (called through ctypes), fed the model bytes; outputs bit-exact with TFLite Micro,
  the arena the C setup needed equal to the offline computation, the C planner's offsets equal to
  ir/planner.py's.
- The C quantization arithmetic against the operator modules' Python (ops/common/qmath.py), bit
  for bit.
- Corrupted model bytes: a setup error code, never a crash (a fuzz driver under ASan/UBSan, and the
  harness printing the code); too small an arena: code 6.
- The whole path through the CLI, registered as a home plugin.
"""
from __future__ import annotations

import ctypes as C
import math
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

import mcubench
from mcubench.backends.interp import Interp, arena_layout, model_c, ops_table_c, runtime_files
from mcubench.backends.interp_opt import OPT_OPS
from mcubench.data import write_data_c
from mcubench.errors import ConfigError, ModelError
from mcubench.frontends.tflite import parse
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ops import conv2d, depthwise_conv2d, fully_connected
from mcubench.ops.common.cstruct import write_headers
from mcubench.ops.common import qmath as quant
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.samples import load_samples
from mcubench.reference import tflm_outputs
from native import InterpLib as Lib
import opmodels
from opmodels import OPS, make_op_graph, random_inputs
from test_prepare import compare_record

RUNTIME = Path(mcubench.__file__).parent / "runtime"
MODELS = ("aww", "vww", "resnet", "toycar")
TFLM_ARENA = {"aww": 22780, "vww": 100668, "resnet": 54364, "toycar": 2380}  # measured, README
STRICT = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding"]
ALL_SOURCES = [RUNTIME / f for f in runtime_files(Interp.supported_ops) if f.endswith(".c")
               and not f.endswith("mbi_model.c")]
MBI_ERR_MODEL, MBI_ERR_SCHEMA, MBI_ERR_OP, MBI_ERR_ARENA = 1, 2, 3, 6

FUZZ = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mbi.h"
static uint32_t state;
static uint32_t rnd(void) {
  state ^= state << 13, state ^= state >> 17, state ^= state << 5;
  return state;
}
int main(int argc, char **argv) {
  if (argc != 6) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  static uint8_t orig[1 << 20];
  uint32_t n = (uint32_t)fread(orig, 1, sizeof orig, f);
  fclose(f);
  long iterations = atol(argv[2]), max_invokes = atol(argv[4]);
  uint32_t arena_size = (uint32_t)atol(argv[5]);
  state = (uint32_t)atol(argv[3]) | 1u;
  long counts[8] = {0}, invokes = 0;
  for (long it = 0; it < iterations; it++) {
    uint32_t size = n, kind = rnd() % 4;
    uint8_t *m = malloc(n);
    memcpy(m, orig, n);
    if (kind == 0) size = rnd() % n;
    for (uint32_t k = 0, flips = 1 + rnd() % 6; kind != 0 && k < flips; k++) {
      uint32_t pos = rnd() % n;
      if (kind == 1) m[pos] ^= (uint8_t)(1u << (rnd() % 8));
      else if (kind == 2) m[pos] = (uint8_t)rnd();
      else if (pos + 4 <= n) {
        static const uint32_t words[] = {0, 1, 0xffffffffu, 0x7fffffffu, 0x80000000u, 4, 8};
        uint32_t w = rnd() % 2 ? words[rnd() % 7] : rnd() % (n + 64);
        memcpy(m + (pos & ~3u), &w, 4);
      }
    }
    uint8_t *model = malloc(size ? size : 1); /* exactly the model's bytes: ASan sees any overrun */
    memcpy(model, m, size);
    uint8_t *arena = malloc(arena_size);
    mbi_ctx ctx;
    int rc = mbi_setup(&ctx, model, size, arena, arena_size, 16, mbi_registrations,
                       mbi_num_registrations);
    if (rc < 0 || rc > 7) return 3;
    counts[rc]++;
    if (rc == 0 && invokes < max_invokes) {
      for (uint32_t i = 0; i < ctx.num_inputs; i++)
        memset(mbi_input(&ctx, i), (int)(rnd() & 0xff), mbi_input_bytes(&ctx, i));
      if (mbi_invoke(&ctx) != 0) return 4;
      invokes++;
    }
    free(arena);
    free(model);
    free(m);
  }
  for (int c = 0; c < 8; c++) printf("code%d=%ld\n", c, counts[c]);
  printf("invokes=%ld\n", invokes);
  return 0;
}
"""


# --- fixtures ------------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def lib(gcc, tmp_path_factory) -> Lib:
    return Lib.build(tmp_path_factory.mktemp("interp_lib"), gcc)


def check_prepared(lib: Lib, graph: Graph) -> int:
    """Every operator's record as the C setup prepared it == its module's Python preparation
    (tests/test_prepare.py's comparison); returns how many values were compared. Call after a
    successful lib.setup of this graph's model."""
    from mcubench.ops import SPECS

    arena, compared = lib.so.shim_arena(), 0
    for i, op in enumerate(graph.ops):
        expected = SPECS[op.kind].interp_record(graph, op)
        if expected is not None:
            compared += compare_record(arena, lib.so.shim_op_data(i), expected,
                                       f"{graph.name} op {i} {op.kind}")
    return compared


def firmware(graph: Graph, model: bytes, samples, expected, work: Path, flash: bytes | None = None,
             **config) -> tuple[dict, subprocess.CompletedProcess]:
    """Interp build, strict compile of the build folder, link with the harness, run natively.
    `flash`: other model bytes in the firmware than the ones built for (a corrupted flash)."""
    build = work / "build"
    meta = Interp(config).build(graph, build, model=model)
    if flash is not None:
        layout = arena_layout(graph)
        (build / "interp_model.c").write_text(model_c(graph.name, flash, meta["arena"], 16, layout))
    data_c = work / "data.c"
    write_data_c(data_c, samples, expected, [graph.tensors[o].dtype for o in graph.outputs])
    objs = work / "obj"
    objs.mkdir()
    proc = subprocess.run(["gcc", *STRICT, "-c", f"-I{RUNTIME / 'include'}", f"-I{build}",
                           *map(str, sorted(build.glob("*.c")))], cwd=objs, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    elf = work / "firmware"
    proc = subprocess.run(["gcc", "-std=c99", "-O2", f"-I{RUNTIME / 'include'}",
                           *map(str, sorted(objs.glob("*.o"))), str(data_c),
                           str(RUNTIME / "harness" / "main.c"), str(RUNTIME / "hal" / "host.c"),
                           "-o", str(elf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return meta, subprocess.run([str(elf)], capture_output=True, text=True, timeout=60)


def validation(stdout: str) -> dict[str, int]:
    m = re.search(r"MB validate samples=(\d+) mismatched=(\d+) max_abs_diff=(\d+)", stdout)
    assert m, stdout
    return dict(zip(("samples", "mismatched", "max_abs_diff"), map(int, m.groups())))


def q(scale=0.05, zp=0) -> Quant:
    return Quant(scale=np.array([scale], np.float32), zero_point=np.array([zp]))


# --- the real models -----------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS)
def test_real_model_bit_exact(shared_models, gcc, tflm, tmp_path, model):
    data = (shared_models / model / f"{model}.tflite").read_bytes()
    graph = parse(data, model)
    samples = load_samples(shared_models / model, graph, 10, seed=0)
    expected = tflm_outputs(data, samples, len(graph.outputs))
    meta, run = firmware(graph, data, samples, expected, tmp_path)
    assert validation(run.stdout) == {"samples": 10, "mismatched": 0, "max_abs_diff": 0}
    assert run.returncode == 0
    assert meta["arena"] == arena_layout(graph)["arena"] < TFLM_ARENA[model]
    assert meta["model_bytes"] == len(data) and meta["model_source"] == "given"


@pytest.mark.parametrize("model", MODELS)
def test_c_setup_matches_offline_preparation(shared_models, lib, model):
    """The arena the C setup needed, every activation offset and every prepared parameter
    (requantization tables included) equal the Python computation."""
    data = (shared_models / model / f"{model}.tflite").read_bytes()
    graph = parse(data, model)
    layout = arena_layout(graph)
    assert lib.setup(data, layout["arena"]) == 0
    assert lib.so.shim_used() == layout["used"]
    got = {t: lib.so.shim_offset(t) for t in range(len(graph.tensors))}
    assert {t: o for t, o in got.items() if o >= 0} == layout["offsets"]
    assert check_prepared(lib, graph) > 20


def test_only_used_operators_are_linked(shared_models, tmp_path):
    aww = (shared_models / "aww" / "aww.tflite").read_bytes()
    Interp().build(parse(aww, "aww"), tmp_path, model=aww)  # then toycar's in the same folder
    data = (shared_models / "toycar" / "toycar.tflite").read_bytes()
    meta = Interp().build(parse(data, "toycar"), tmp_path, model=data)
    # eval picks the kernel by the tensors' type, as TFLite Micro's registrations: all of
    # FULLY_CONNECTED's types are linked, and nothing of the other operators
    assert meta["kernels"] == ["fully_connected", "fully_connected_f32", "fully_connected_s16",
                               "requant"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["fully_connected.c", "fully_connected_f32.c", "fully_connected_s16.c", "requant.c",
         "interp_model.c", "interp_ops.c", "mbi.h", "mbi_fb.c", "mbi_interp.c", "mbi_plan.c",
         "mbi_prep.c", "mbi_model.c", "mbi_op_fully_connected.c", "mbi_s16.h",
         "mbi_prep_s16.c", "mb_params.h", "mbi_records.h"])  # (generated from mcubench/ops/)
    ops_c = (tmp_path / "interp_ops.c").read_text()
    assert "mbi_fully_connected_eval" in ops_c and "mbi_conv2d" not in ops_c
    model_c = (tmp_path / "interp_model.c").read_text()
    assert f"mbi_model_data[{len(data)}] __attribute__((aligned(16)))" in model_c
    body = model_c.split("= {\n", 1)[1].split("\n};", 1)[0]
    assert bytes(int(x) for x in body.replace("\n", "").split(",")) == data  # unchanged


def test_no_allocation_or_c_library_in_the_interpreter():
    for src in (RUNTIME / "interp").iterdir():
        text = src.read_text()
        assert re.findall(r"#include <(\w+)\.h>", text) in ([], ["stdint"]), src.name
        assert not re.search(r"\b(malloc|free|printf|memcpy|memset)\s*\(", text), src.name


@pytest.mark.parametrize("cc,flags", [
    ("riscv64-unknown-elf-gcc", ["-march=rv32imc", "-mabi=ilp32", "--specs=picolibc.specs"]),
    ("arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "--specs=picolibc.specs"]),
    ("clang-16", ["--target=riscv32-unknown-elf", "-march=rv32imc"]),  # no C library at all
])
def test_cross_compiles_warning_free(tmp_path, cc, flags):
    """Every operator, the core and the generated files: compile-only, warnings are errors."""
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    graph = make_op_graph("CONV_2D", 1)
    build = tmp_path / "build"
    Interp().build(graph, build, model=write_tflite(graph))
    (build / "interp_ops.c").write_text(ops_table_c(Interp.supported_ops))  # every operator, not just conv
    for f in runtime_files(Interp.supported_ops):
        shutil.copyfile(RUNTIME / f, build / Path(f).name)
    sources = sorted(build.glob("*.c"))
    if cc.startswith("clang"):  # the interpreter needs no C library headers (kernels may)
        sources = [s for s in sources if s.name.startswith(("mbi", "interp"))]
    proc = subprocess.run([cc, *flags, *STRICT, "-Os", "-c", f"-I{RUNTIME / 'include'}",
                           f"-I{build}", *map(str, sources)], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr


# --- every operator on random single-op graphs ---------------------------------------------------

@pytest.mark.parametrize("kind", sorted(OPS))
def test_single_op_models_bit_exact(lib, tflm, kind):
    for seed in range(12):
        graph = make_op_graph(kind, seed, grouped_conv=kind == "CONV_2D" and seed >= 8)
        model = write_tflite(graph)
        layout = arena_layout(graph)
        assert lib.setup(model, layout["arena"]) == 0, f"{kind} seed {seed}"
        assert lib.so.shim_used() == layout["used"]
        assert {t: o for t in range(len(graph.tensors))
                if (o := lib.so.shim_offset(t)) >= 0} == layout["offsets"]
        check_prepared(lib, graph)
        samples = [random_inputs(graph, seed * 10 + s) for s in range(2)]
        expected = tflm_outputs(model, samples, 1)
        for sample, want in zip(samples, expected):
            got = lib.run(graph, sample)[0]
            assert np.array_equal(got, want[0]), f"{kind} seed {seed}: {graph.ops[0].options}"


# --- setup arithmetic against ops/common/qmath.py ----------------------------------------------

def _reals(rng) -> list[float]:
    out = [0.0, 1.0, 0.5, 0.25, 2.0**-31, 2.0**-32, 2.0**-33, 2.0**30, 2.0**31 - 1, 1 - 2.0**-40,
           (2**30 + 0.5) / 2**31, (2**30 + 1.5) / 2**31, 5e-324, 2.2250738585072014e-308,
           1e-300, 0.1, 1 / 3]
    out += list(np.exp(rng.uniform(np.log(1e-14), np.log(2e9), 3000)))
    out += [float(np.float32(a)) * float(np.float32(b)) / float(np.float32(c))
            for a, b, c in np.exp(rng.uniform(-12, 3, (2000, 3)))]
    return out


def test_quantize_multiplier_matches_python(lib):
    mult, shift = C.c_int32(), C.c_int32()
    for real in _reals(np.random.default_rng(0)):
        want = quant.quantize_multiplier(real)
        rc = lib.so.mbi_quantize_multiplier(real, C.byref(mult), C.byref(shift))
        if want[1] > 31:
            assert rc != 0, real  # the kernels cannot shift that far: refused
            continue
        assert rc == 0 and (mult.value, shift.value) == want, real
    assert lib.so.mbi_quantize_multiplier(-1.0, C.byref(mult), C.byref(shift)) != 0
    assert lib.so.mbi_quantize_multiplier(math.inf, C.byref(mult), C.byref(shift)) != 0
    assert lib.so.mbi_quantize_multiplier(math.nan, C.byref(mult), C.byref(shift)) != 0


def test_frexp_matches_libm(lib):
    e = C.c_int()
    rng = np.random.default_rng(1)
    values = [5e-324, 1e-310, -3e-320, 1.0, -0.75, 1e308, 123.456]
    values += list(rng.standard_normal(500) * np.exp(rng.uniform(-700, 700, 500)))
    for x in values:
        got = lib.so.mbi_frexp(x, C.byref(e))
        assert (got, e.value) == math.frexp(x), x


def test_activation_range_matches_python(lib):
    lo, hi = C.c_int32(), C.c_int32()
    rng = np.random.default_rng(2)
    codes = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
    for _ in range(2000):
        scale = float(np.float32(np.exp(rng.uniform(np.log(1e-4), np.log(1.0)))))
        zp = int(rng.integers(-128, 128))
        for name, code in codes.items():
            assert lib.so.mbi_activation_range(code, scale, zp, C.byref(lo), C.byref(hi)) == 0
            assert (lo.value, hi.value) == quant.activation_range(name, scale, zp), (name, scale)
    # ties: 6 / scale lands exactly on .5 in float32
    for scale, zp in ((0.5 ** 4, -128), (4.0, 3), (12.0, -1), (0.75, 0)):
        for name, code in codes.items():
            lib.so.mbi_activation_range(code, scale, zp, C.byref(lo), C.byref(hi))
            assert (lo.value, hi.value) == quant.activation_range(name, scale, zp)


# --- corrupted models, too small an arena, missing operators -------------------------------------

def _small_model() -> tuple[Graph, bytes]:
    graph = make_op_graph("CONV_2D", 3)
    return graph, write_tflite(graph)


def test_malformed_headers_give_setup_codes(lib):
    graph, model = _small_model()
    arena = arena_layout(graph)["arena"]
    assert lib.setup(model, arena) == 0
    assert lib.setup(model[:4] + b"XXXX" + model[8:], arena) == MBI_ERR_SCHEMA
    assert lib.setup(b"", arena) == MBI_ERR_SCHEMA
    assert lib.setup(struct.pack("<I", len(model) + 100) + model[4:], arena) == MBI_ERR_MODEL
    assert lib.setup(struct.pack("<I", 3) + model[4:], arena) == MBI_ERR_MODEL  # misaligned
    codes = [lib.setup(model[:n], arena) for n in range(8, len(model), 3)]
    assert set(codes) <= {0, MBI_ERR_MODEL, 4, 5}  # a cut past the last byte read may succeed
    assert codes.count(MBI_ERR_MODEL) > 0.9 * len(codes)
    # schema version 4
    root = struct.unpack_from("<I", model, 0)[0]
    vtable = root - struct.unpack_from("<i", model, root)[0]
    version_at = root + struct.unpack_from("<H", model, vtable + 4)[0]
    bad = bytearray(model)
    struct.pack_into("<I", bad, version_at, 4)
    assert lib.setup(bytes(bad), arena) == MBI_ERR_SCHEMA


def test_operator_not_linked(lib):
    graph = make_op_graph("FULLY_CONNECTED", 0)
    model = write_tflite(graph)
    arena = arena_layout(graph)["arena"]
    assert lib.setup(model, arena, num_regs=1) == MBI_ERR_OP  # only ADD registered
    assert lib.setup(model, arena) == 0


def test_arena_is_exact(lib):
    for kind in ("CONV_2D", "SOFTMAX", "RESHAPE"):
        graph = make_op_graph(kind, 5)
        model = write_tflite(graph)
        used = arena_layout(graph)["used"]
        assert lib.setup(model, used) == 0
        assert lib.setup(model, used - 1) == MBI_ERR_ARENA
        assert lib.setup(model, 16) == MBI_ERR_ARENA
    graph = make_op_graph("CONV_2D", 5)
    layout = arena_layout(graph, 64)
    assert lib.setup(write_tflite(graph), layout["arena"], align=64) == 0
    assert lib.so.shim_used() == layout["used"]
    assert all(lib.so.shim_offset(t) % 64 == 0 for t in layout["offsets"])


def test_too_small_arena_on_device(gcc, tmp_path):
    graph, model = _small_model()
    need = arena_layout(graph)["used"]
    meta, run = firmware(graph, model, [random_inputs(graph, 0)], None, tmp_path,
                         arena_size=need - 8)
    assert meta["arena"] == need - 8 and meta["arena_needed"] == need
    assert "MB error=setup code=6" in run.stdout and run.returncode == 16


def test_corrupted_model_on_device(gcc, tmp_path):
    graph, model = _small_model()
    bad = struct.pack("<I", 0xFFFFFFF0) + model[4:]
    _, run = firmware(graph, model, [random_inputs(graph, 0)], None, tmp_path, flash=bad)
    assert "MB error=setup code=1" in run.stdout and run.returncode == 11


def test_fuzzed_models_never_crash(gcc, tmp_path, shared_models):
    """Random corruptions of several models under AddressSanitizer/UBSan: setup returns a code
    (or succeeds and invoke runs in bounds); the model buffer is exactly the model's size."""
    (tmp_path / "interp_ops.c").write_text(ops_table_c(Interp.supported_ops))
    (tmp_path / "fuzz.c").write_text(FUZZ)
    write_headers(tmp_path)
    exe = tmp_path / "fuzz"
    san = ["-fsanitize=address,undefined", "-fno-sanitize=signed-integer-overflow",
           "-fno-sanitize-recover=all"]  # kernels wrap on int32 overflow like TFLM's: not a crash
    proc = subprocess.run([gcc, "-std=c99", "-O1", "-g", *san, f"-I{tmp_path}",
                           f"-I{RUNTIME / 'include'}", f"-I{RUNTIME / 'interp'}",
                           *map(str, ALL_SOURCES),
                           str(tmp_path / "interp_ops.c"), str(tmp_path / "fuzz.c"), "-o",
                           str(exe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    cases = [(make_op_graph(k, 2), None) for k in sorted(OPS)]
    cases.append((parse((shared_models / "aww" / "aww.tflite").read_bytes(), "aww"),
                  (shared_models / "aww" / "aww.tflite").read_bytes()))
    totals: dict[int, int] = {}
    for i, (graph, data) in enumerate(cases):
        path = tmp_path / f"m{i}.tflite"
        path.write_bytes(data if data is not None else write_tflite(graph))
        iterations, invokes = (3000, 30) if data is not None else (1500, 300)
        run = subprocess.run([str(exe), str(path), str(iterations), str(i + 1), str(invokes),
                              str(arena_layout(graph)["arena"])], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, f"{graph.name}: exit {run.returncode}\n{run.stderr[-3000:]}"
        for code, count in re.findall(r"code(\d)=(\d+)", run.stdout):
            totals[int(code)] = totals.get(int(code), 0) + int(count)
    assert totals[0] > 0 and totals[MBI_ERR_MODEL] > 0  # some survive, many are caught
    assert sum(1 for c in totals if totals[c]) >= 4


# --- backend behaviour ---------------------------------------------------------------------------

def test_model_bytes_are_the_file_the_frontend_read(tmp_path):
    graph, model = _small_model()
    parsed = parse(model, "m")  # what the LOAD stage hands the backend: it keeps the file's bytes
    meta = Interp().build(parsed, tmp_path / "build")
    assert meta["model_source"] == "original" and meta["model_bytes"] == len(model)
    assert (tmp_path / "build" / "interp_model.c").read_text().count(",") >= len(model) - 1
    meta = Interp().build(graph, tmp_path / "elsewhere" / "build")  # built in memory: no file
    assert meta["model_source"] == "rewritten"
    other = make_op_graph("ADD", 0)
    with pytest.raises(ModelError, match="do not describe this graph"):
        Interp().build(graph, tmp_path / "build", model=write_tflite(other))


def test_setup_error_codes_are_documented():
    from mcubench.backends.interp import SETUP_ERRORS

    header = (RUNTIME / "interp" / "mbi.h").read_text()
    codes = {int(c) for c in re.findall(r"#define MBI_ERR_\w+ (\d+)", header)}
    assert codes == set(SETUP_ERRORS) and all(c < 8 for c in codes)  # harness: exit 10 + code


def test_config_keys():
    assert Interp()["arena_size"] == 0 and Interp()["arena_align"] == 16
    with pytest.raises(ConfigError, match="interp.arena_size"):
        Interp({"arena_sise": 1})
    with pytest.raises(ConfigError, match="power of two"):
        Interp({"arena_align": 24})
    with pytest.raises(ConfigError, match="arena_size"):
        Interp({"arena_size": -1})
    assert Interp.version() != "" and ":" in Interp.version()


def test_uneven_groups_are_refused():
    x = Tensor("x", (1, 4, 4, 4), "int8", q())
    w = Tensor("w", (3, 1, 1, 2), "int8", q(0.01), np.ones((3, 1, 1, 2), np.int8))
    y = Tensor("y", (1, 4, 4, 3), "int8", q())
    opts = {"padding": "SAME", "stride_w": 1, "stride_h": 1, "fused_activation_function": "NONE"}
    g = Graph("m", [x, w, y], [Op("CONV_2D", [0, 1, -1], [2], opts)], [0], [2])
    with pytest.raises(ModelError, match="groups"):
        Interp().check(g)


def test_through_the_cli(capsys, shared_models, isolated_home):
    """A whole run (load -> build -> compile -> run on the host): the backend finds the model bytes
    the LOAD stage kept, validation passes; too small an arena becomes a failed row with code 6.
    Registered through a home plugin, in case mcubench.builtin does not list it (yet)."""
    import json

    import mcubench.run as run_mod
    from mcubench import home
    from mcubench.cli import main

    plugins = isolated_home / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "interp_backend.py").write_text(
        "from mcubench.backends.interp import Interp\n"
        "def register(registry):\n    registry.add(Interp)\n")
    run_mod._REGISTRY = None
    try:
        code = main(["run", "toycar", "--model-path", str(shared_models), "-b", "interp", "-t",
                     "host", "-c", "host.valgrind=0", "-f", "validate", "-j", "2",
                     "--config-gen", "_", "--config-gen", "interp.arena_size=64"])
        capsys.readouterr()
    finally:
        (plugins / "interp_backend.py").unlink()
        run_mod._REGISTRY = None
    sid = (home.sessions_dir() / "latest").resolve().name
    rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    assert code != 0 and len(rows) == 2
    ok, small = rows
    assert ok["Validation"] is True and ok["Max Abs Diff"] == 0 and not ok["Failing"]
    assert ok["Arena"] == arena_layout(parse(
        (shared_models / "toycar" / "toycar.tflite").read_bytes()))["arena"]
    assert small["Failing"] and "code 6" in small["Reason"]


# --- the optimized kernels (interp.kernels=opt) --------------------------------------------------

OPT_KINDS = sorted(OPT_OPS)
OPT_LIB_KINDS = set(OPT_KINDS) | {"RESHAPE", "SOFTMAX"}  # what the real models need
OPT_SEEDS = 50
OPT_RECORDS = {"CONV_2D": conv2d.OPT_DATA, "DEPTHWISE_CONV_2D": depthwise_conv2d.OPT_DATA,
               "FULLY_CONNECTED": fully_connected.OPT_DATA}


def _depthwise3x3(seed: int) -> Graph:
    """A random depthwise conv of the kind the optimized kernel runs (3x3, multiplier 1, no
    dilation; opmodels draws those rarely), quantized as opmodels does."""
    rng = np.random.default_rng([seed, 77])
    n = 1 if rng.random() < 0.8 else 2
    in_h, in_w = (int(x) for x in rng.integers(1, 14, 2))
    ch = int(rng.integers(1, 20))
    padding = "SAME" if rng.random() < 0.6 or min(in_h, in_w) < 3 else "VALID"
    sh, sw = (int(x) for x in rng.choice([1, 1, 2, 3], 2))
    out_h, out_w, _, _ = quant.conv_geometry(padding, in_h, in_w, 3, 3, sh, sw, 1, 1)
    in_scale, in_zp = float(opmodels._scale(rng, 0.005, 0.2)), opmodels._zp(rng)
    act = opmodels._act(rng)
    out_scale, out_zp = opmodels._out_q(rng, act)
    f_scales = opmodels._filter_scales(rng, in_scale, out_scale, 9,
                                       ch if rng.random() < 0.8 else 1)
    tensors = [
        Tensor("input", (n, in_h, in_w, ch), "int8", opmodels._q(in_scale, in_zp)),
        Tensor("filter", (1, 3, 3, ch), "int8", opmodels._q(f_scales, 0, 3),
               opmodels._int8(rng, (1, 3, 3, ch))),
        Tensor("bias", (ch,), "int32",
               opmodels._q((in_scale * np.broadcast_to(f_scales, (ch,))).astype(np.float32)),
               rng.integers(-20000, 20001, ch).astype(np.int32)),
        Tensor("output", (n, out_h, out_w, ch), "int8", opmodels._q(out_scale, out_zp)),
    ]
    options = {"padding": padding, "stride_w": sw, "stride_h": sh, "depth_multiplier": 1,
               "dilation_w_factor": 1, "dilation_h_factor": 1, "fused_activation_function": act}
    op = Op("DEPTHWISE_CONV_2D", [0, 1, 2], [3], options)
    return Graph(f"depthwise3x3_{seed}", tensors, [op], [0], [3])


def opt_graph(kind: str, seed: int) -> Graph:
    """Random single-op graphs for the optimized kernels: CONV_2D seeds past OPT_SEEDS are grouped
    (the reference registration takes them over); depthwise seeds past OPT_SEEDS are opmodels'
    (mostly other filter sizes, multipliers and dilations: the reference again)."""
    if kind == "DEPTHWISE_CONV_2D":
        return _depthwise3x3(seed) if seed < OPT_SEEDS else make_op_graph(kind, seed)
    return make_op_graph(kind, seed, grouped_conv=kind == "CONV_2D" and seed >= OPT_SEEDS)


def _opt_depths() -> list[int]:
    depths = set()
    for kind in OPT_KINDS:
        for seed in range(OPT_SEEDS):
            depths.update(arena_layout(opt_graph(kind, seed), kernels="opt")["gemm_depths"])
    return sorted(depths)


@pytest.fixture(scope="module")
def opt_lib(gcc, tmp_path_factory) -> Lib:
    """The real models' operators, optimized ones first; the GEMM for any depth only."""
    return Lib.build(tmp_path_factory.mktemp("interp_opt_lib"), gcc, OPT_LIB_KINDS, "opt")


@pytest.fixture(scope="module")
def opt_spec_lib(gcc, tmp_path_factory) -> Lib:
    """As opt_lib, plus a GEMM instance for every depth of the random graphs (interp.specialize)."""
    return Lib.build(tmp_path_factory.mktemp("interp_opt_spec_lib"), gcc, OPT_LIB_KINDS, "opt",
                     _opt_depths())


def check_prepared_opt(lib: Lib, graph: Graph) -> int:
    """The optimized operators' output stages as the C setup computed them == the modules' (folded
    bias, 2 x multiplier, shift - 1 per channel, relu, clamp); returns how many were compared."""
    arena, compared = lib.so.shim_arena(), 0
    for i in arena_layout(graph, kernels="opt")["opt_ops"]:
        op = graph.ops[i]
        if op.kind not in OPT_RECORDS:
            continue
        prep = {"CONV_2D": lambda: conv2d.prepare_opt(graph, op, specialize=False),
                "DEPTHWISE_CONV_2D": lambda: depthwise_conv2d.prepare_opt(graph, op),
                "FULLY_CONNECTED": lambda: fully_connected.prepare_opt(graph, op)}[op.kind]()
        rq = prep["rq"]
        struct = OPT_RECORDS[op.kind]
        rec = struct.read(C.string_at(arena + lib.so.shim_op_data(i), struct.size()))["rq"]
        n = len(rq["bias"])
        got = {"bias": list((C.c_int32 * n).from_address(arena + rec["bias"])),
               "mult": list((C.c_int32 * n).from_address(arena + rec["mult"])),
               "shift": list((C.c_int8 * n).from_address(arena + rec["shift"]))}
        want = {"bias": rq["bias"].tolist(),
                "mult": np.broadcast_to(rq["mult"][:n] if rq["per_channel"] else rq["mult"][:1],
                                        (n,)).tolist(),
                "shift": np.broadcast_to(rq["shift"][:n] if rq["per_channel"] else
                                         rq["shift"][:1], (n,)).tolist()}
        assert got == want, f"{graph.name} op {i} {op.kind}"
        for key in ("relu", "output_offset", "act_min", "act_max"):
            assert rec[key] == rq[key], f"{graph.name} op {i} {op.kind} {key}"
        compared += 3 * n + 4
    return compared


def run_opt(lib: Lib, graph: Graph, seed: int) -> dict:
    """Set up with the offline arena (exactly what the C setup needs), run 2 samples against
    TFLite Micro; returns the layout."""
    model = write_tflite(graph)
    layout = arena_layout(graph, kernels="opt")
    assert lib.setup(model, layout["arena"]) == 0, graph.name
    assert lib.so.shim_used() == layout["used"], graph.name
    assert {t: o for t in range(len(graph.tensors))
            if (o := lib.so.shim_offset(t)) >= 0} == layout["offsets"]
    check_prepared_opt(lib, graph)
    samples = [random_inputs(graph, seed * 10 + s) for s in range(2)]
    for sample, want in zip(samples, tflm_outputs(model, samples, 1)):
        got = lib.run(graph, sample)[0]
        assert np.array_equal(got, want[0]), f"{graph.name}: {graph.ops[0].options}"
    return layout


@pytest.mark.parametrize("specialized", [False, True], ids=["generic", "specialized"])
@pytest.mark.parametrize("kind", OPT_KINDS)
def test_opt_single_op_models_bit_exact(opt_lib, opt_spec_lib, tflm, kind, specialized):
    """50 random configurations per optimized kind, bit-exact with TFLite Micro through the
    interpreter with the optimized kernels (GEMM for any depth, or compiled per depth); nearly all
    of them on the optimized path, grouped convolutions on the reference one."""
    lib = opt_spec_lib if specialized else opt_lib
    on_opt = 0
    seeds = OPT_SEEDS + (10 if kind in ("CONV_2D", "DEPTHWISE_CONV_2D") else 0)
    for seed in range(seeds):
        graph = opt_graph(kind, seed)
        on_opt += run_opt(lib, graph, seed)["opt_ops"] == [0]
    assert on_opt >= OPT_SEEDS * 0.9


def test_opt_falls_back_to_the_reference_kernels(opt_lib, tflm):
    """A multiplier that shifts left (output scale far below input x filter scale) is no case for
    the fast requantization: setup hands those operators to the reference registration. (ADD's
    output multiplier is below 1 in TFLite, so it always has a right shift.)"""
    for kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        graph = opt_graph(kind, 3)
        y = graph.tensors[graph.ops[0].outputs[0]]
        y.quant = Quant(scale=(y.quant.scale / 1000).astype(np.float32),
                        zero_point=y.quant.zero_point)
        assert run_opt(opt_lib, graph, 3)["opt_ops"] == [], kind


def test_opt_eval_reports_too_little_scratch(opt_lib):
    """The scratch lies between the activations and the records: an arena that holds the setup but
    not the scratch fails at invoke with code 6."""
    graph = opt_graph("DEPTHWISE_CONV_2D", 1)
    layout = arena_layout(graph, kernels="opt")
    assert layout["scratch"] > 0 and layout["opt_ops"] == [0]
    assert opt_lib.setup(write_tflite(graph), layout["used"]) == 0
    assert opt_lib.so.shim_invoke() == MBI_ERR_ARENA
    assert opt_lib.setup(write_tflite(graph), layout["used"] + layout["scratch"]) == 0
    assert opt_lib.so.shim_invoke() == 0


@pytest.mark.parametrize("model", MODELS)
def test_opt_real_model_bit_exact(shared_models, gcc, tflm, tmp_path, model):
    """The four models with interp.kernels=opt: every operator the optimized kernels cover takes
    them (GEMM instances for the models' depths), outputs bit-exact with TFLite Micro."""
    data = (shared_models / model / f"{model}.tflite").read_bytes()
    graph = parse(data, model)
    samples = load_samples(shared_models / model, graph, 10, seed=0)
    expected = tflm_outputs(data, samples, len(graph.outputs))
    meta, run = firmware(graph, data, samples, expected, tmp_path, kernels="opt")
    assert validation(run.stdout) == {"samples": 10, "mismatched": 0, "max_abs_diff": 0}
    assert run.returncode == 0
    layout = arena_layout(graph, kernels="opt")
    assert meta["arena"] == layout["arena"] and meta["opt_ops"] == layout["opt_ops"]
    assert meta["opt_ops"] == [i for i, op in enumerate(graph.ops) if op.kind in OPT_OPS]
    assert meta["gemm_instances"] and not (tmp_path / "build" / "mbi_conv2d.c").exists()


@pytest.mark.parametrize("model", MODELS)
def test_opt_c_setup_matches_offline_preparation(shared_models, opt_lib, model):
    """With the optimized kernels: the arena the C setup needed, every activation offset and every
    optimized operator's output stage equal the Python computation (interp_opt.py, ops/common/fold.py)."""
    data = (shared_models / model / f"{model}.tflite").read_bytes()
    graph = parse(data, model)
    layout = arena_layout(graph, kernels="opt")
    assert opt_lib.setup(data, layout["arena"]) == 0
    assert opt_lib.so.shim_used() == layout["used"]
    got = {t: opt_lib.so.shim_offset(t) for t in range(len(graph.tensors))}
    assert {t: o for t, o in got.items() if o >= 0} == layout["offsets"]
    assert check_prepared_opt(opt_lib, graph) > 0
