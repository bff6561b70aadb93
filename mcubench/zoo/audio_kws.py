"""audio_kws: keyword spotting from raw audio, the whole pipeline on the device: TFLite Micro's
signal-library front end (as its micro_speech example computes features) and a DS-CNN.

Every invoke takes one 20 ms hop of 16 kHz int16 audio (320 samples):
  FRAMER (30 ms frames, prefilled) -> WINDOW (Hann, Q14) -> FFT_AUTO_SCALE -> RFFT (512)
  -> ENERGY -> FILTER_BANK (40 mel channels, 125-7500 Hz) -> FILTER_BANK_SQUARE_ROOT
  -> FILTER_BANK_SPECTRAL_SUBTRACTION (noise estimate) -> PCAN (gain control) -> FILTER_BANK_LOG
  -> STACKER (the last 49 frames: 49 x 40 log-mel features, 980 ms)
  -> QUANTIZE (int16 -> int8) -> DS-CNN (conv 10x4 /2, 4 x depthwise + pointwise, 64 channels)
  -> 12 keyword scores.
The front end keeps state from invoke to invoke (the framer's samples, the noise estimate, the
stacked frames), so the samples are one stream of hops, validated in order against TFLite Micro.

The front end's tables (window, mel filter bank, PCAN's gain curve) are computed here from their
definitions; the network's weights are synthetic (seeded), calibrated on the features a float
model of the front end gives for the sample audio: for benchmarking, not accuracy."""
from __future__ import annotations

import functools

import numpy as np

from ..ir.graph import Graph, Op, Quant, Tensor
from .aww import ds_cnn
from .net import Act, Net, fake_quant

TASK = "keyword spotting from raw audio"
ARCHITECTURE = ("TFLite Micro's signal-library front end (40 log-mel channels, PCAN) and a "
                "DS-CNN on 49x40 features, 12 classes")
DESCRIPTION = (f"{TASK}: {ARCHITECTURE}; one 20 ms hop of 16 kHz int16 audio per invoke, the "
               "front end's state kept between invokes; synthetic network weights, for "
               "performance benchmarking, not accuracy")
SYNTHETIC = True
RATE, HOP, FRAME, FFT = 16000, 320, 480, 512
CHANNELS, LOW_HZ, HIGH_HZ = 40, 125.0, 7500.0
FRAMES = 49  # stacked: the current one and 48 before it
LOG_SCALE, CORRECTION = 1024, 3  # FILTER_BANK_LOG's output_scale, input_correction_bits
SMOOTHING_BITS, SUBTRACTION_BITS = 10, 14
PCAN_STRENGTH, PCAN_OFFSET, PCAN_GAIN_BITS, PCAN_SNR_SHIFT = 0.95, 80.0, 21, 6


def _mel(hz):
    return 1127.0 * np.log1p(np.asarray(hz, np.float64) / 700.0)


def window() -> np.ndarray:
    n = np.arange(FRAME)
    return np.round(16384 * (0.5 - 0.5 * np.cos(2 * np.pi * (n + 0.5) / FRAME))).astype(np.int16)


def filter_bank() -> dict:
    """FILTER_BANK's tables in TFLite's layout: band k (k = 0..CHANNELS) holds the bins whose mel
    lies in (center k-1, center k]; each bin's weight falls 1 -> 0 across its band (channel k),
    its unweight rises (channel k+1): channel k is a mel triangle. Weights in Q12."""
    bins = FFT // 2 + 1
    centers = np.linspace(_mel(LOW_HZ), _mel(HIGH_HZ), CHANNELS + 2)[1:]  # band upper edges
    mel = _mel(np.arange(bins) * RATE / FFT)
    lower = np.r_[_mel(LOW_HZ), centers[:-1]]
    starts, widths, weights = [], [], []
    for k in range(CHANNELS + 1):
        idx = np.nonzero((mel > lower[k]) & (mel <= centers[k]))[0]
        starts.append(int(idx[0]))
        widths.append(len(idx))
        weights += list((centers[k] - mel[idx]) / (centers[k] - lower[k]))
    w = np.round(4096 * np.array(weights)).astype(np.int16)
    return {"weights": w, "unweights": (4096 - w).astype(np.int16),
            "channel_frequency_starts": np.array(starts, np.int16),
            "channel_weight_starts": np.cumsum([0] + widths[:-1]).astype(np.int16),
            "channel_widths": np.array(widths, np.int16),
            "start": starts[0], "end": starts[-1] + widths[-1]}


def _gain(x: float) -> int:
    """PCAN's gain at noise estimate x: 2^gain_bits (x / 2^input_bits + offset)^-strength."""
    input_bits = SMOOTHING_BITS - CORRECTION
    g = 2.0**PCAN_GAIN_BITS * (x / 2.0**input_bits + PCAN_OFFSET) ** -PCAN_STRENGTH
    return min(int(g + 0.5), 32767)


def pcan_table() -> np.ndarray:
    """The gain curve as PCAN's kernel reads it: entries 0..1 the gains at 0 and 1; per octave
    [2^(k-1), 2^k) (k = 2..32) at 4k - 6: the gain y0 at its start and a1, a2 of the quadratic
    y0 + a1 t + a2 t^2 through the gains at t = 1/2 and 1 (t: the position in the octave)."""
    lut = np.zeros(125, np.int64)
    lut[0], lut[1] = _gain(0), _gain(1)
    for k in range(2, 33):
        x0 = 1 << (k - 1)
        x2 = x0 + (x0 - 1) if k == 32 else 2 * x0
        y0, y1, y2 = _gain(x0), _gain(x0 + x0 // 2), _gain(x2)
        a1 = 4 * (y1 - y0) - (y2 - y0)
        lut[4 * k - 6:4 * k - 3] = [y0, a1, (y2 - y0) - a1]
    return lut.astype(np.int16)


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    """count consecutive 20 ms hops of one synthetic utterance: a noise floor, then a voiced
    sound (a gliding pitch with harmonics and a slow envelope), as int16 values."""
    t = np.arange(count * HOP) / RATE
    pitch = 140 + 60 * np.sin(2 * np.pi * 2.5 * t + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = np.clip((t - 0.04) / 0.05, 0, 1) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    audio = 6000 * envelope * voice + 300 * rng.standard_normal(len(t))
    return np.clip(np.round(audio), -32768, 32767).reshape(count, HOP)


def features(audio: np.ndarray) -> np.ndarray:
    """A float model of the front end over consecutive hops (count x HOP): the 49 x 40 stacked
    log-mel features each invoke sees, near what the integer front end computes (for calibration
    only; the benchmark and its validation run the real operators)."""
    fb = filter_bank()
    bank = np.zeros((CHANNELS + 1, FFT // 2 + 1))
    pos = 0
    for k in range(CHANNELS + 1):
        s, n = int(fb["channel_frequency_starts"][k]), int(fb["channel_widths"][k])
        bank[k, s:s + n] += fb["weights"][pos:pos + n] / 4096
        if k + 1 <= CHANNELS:
            bank[k + 1, s:s + n] += fb["unweights"][pos:pos + n] / 4096
        pos += n
    stream = np.r_[np.zeros(FRAME - HOP), audio.reshape(-1)]
    noise = np.zeros(CHANNELS)
    stack, out = None, []
    for k in range(len(audio)):
        frame = stream[k * HOP:k * HOP + FRAME] * window() / 16384
        power = np.abs(np.fft.rfft(frame, FFT) / FFT) ** 2
        energy = np.sqrt(bank[1:] @ power) * 64  # the square root of Q12-weighted sums
        noise += 0.04 * (energy - noise)
        signal = np.maximum(energy - noise, 0.05 * energy)
        gain = 2.0**PCAN_GAIN_BITS * (noise * 2**CORRECTION + PCAN_OFFSET) ** -PCAN_STRENGTH
        snr = signal * gain / 2**PCAN_SNR_SHIFT / 2**12
        shrunk = np.where(snr < 2, snr**2 / 4, snr - 1) * 64
        logmel = np.log(np.maximum(shrunk * 2**CORRECTION, 1)) * LOG_SCALE
        stack = np.repeat(logmel[None], FRAMES, 0) if stack is None else \
            np.r_[stack[1:], logmel[None]]
        out.append(stack.copy())
    return np.minimum(np.array(out), 32767)[..., None]  # count x 49 x 40 x 1


def _tensor(net: Net, name: str, shape, dtype: str, data=None, quant=None,
            variable: bool = False) -> int:
    net.tensors.append(Tensor(name, tuple(shape), dtype, quant, data, is_variable=variable))
    return len(net.tensors) - 1


def front_end(net: Net) -> int:
    """The front end's tensors and operators; returns the stacked int16 features' tensor."""
    fb = filter_bank()
    t = functools.partial(_tensor, net)
    audio = t("audio", (HOP,), "int16")
    net.inputs.append(audio)
    frames, valid = t("framer/frames", (1, FRAME), "int16"), t("framer/valid", (), "bool")
    net.ops.append(Op("FRAMER", [audio], [frames, valid],
                      {"frame_size": FRAME, "frame_step": HOP, "prefill": True}))
    hann = t("window/weights", (FRAME,), "int16", window())
    windowed = t("window/out", (1, FRAME), "int16")
    net.ops.append(Op("WINDOW", [frames, hann], [windowed], {"shift": 14}))
    shape = t("window/flat", (1,), "int32", np.array([FRAME], np.int32))
    flat = t("window/out_flat", (FRAME,), "int16")
    net.ops.append(Op("RESHAPE", [windowed, shape], [flat]))
    scaled, bits = t("fft_auto_scale/out", (FRAME,), "int16"), t("fft_auto_scale/bits", (),
                                                                  "int32")
    net.ops.append(Op("FFT_AUTO_SCALE", [flat], [scaled, bits]))
    spectrum = t("rfft/out", (FFT + 2,), "int16")
    net.ops.append(Op("RFFT", [scaled], [spectrum], {"T": 7, "fft_length": FFT}))
    energy = t("energy/out", (FFT // 2 + 1,), "uint32")
    net.ops.append(Op("ENERGY", [spectrum], [energy],
                      {"end_index": fb["end"], "start_index": fb["start"]}))
    tables = [t(f"filter_bank/{k}", fb[k].shape, "int16", fb[k]) for k in
              ("weights", "unweights", "channel_frequency_starts", "channel_weight_starts",
               "channel_widths")]
    mel = t("filter_bank/out", (CHANNELS,), "uint64")
    net.ops.append(Op("FILTER_BANK", [energy, *tables], [mel], {"num_channels": CHANNELS}))
    root = t("filter_bank_square_root/out", (CHANNELS,), "uint32")
    net.ops.append(Op("FILTER_BANK_SQUARE_ROOT", [mel, bits], [root]))
    clean, noise = (t(f"spectral_subtraction/{k}", (CHANNELS,), "uint32")
                    for k in ("out", "noise"))
    smoothing = round(0.04 * 2**SUBTRACTION_BITS)
    net.ops.append(Op("FILTER_BANK_SPECTRAL_SUBTRACTION", [root], [clean, noise], {
        "alternate_one_minus_smoothing": 2**SUBTRACTION_BITS - smoothing,
        "alternate_smoothing": smoothing, "clamping": False,
        "min_signal_remaining": round(0.05 * 2**SUBTRACTION_BITS), "num_channels": CHANNELS,
        "one_minus_smoothing": 2**SUBTRACTION_BITS - smoothing, "smoothing": smoothing,
        "smoothing_bits": SMOOTHING_BITS, "spectral_subtraction_bits": SUBTRACTION_BITS}))
    lut = t("pcan/gain_lut", (125,), "int16", pcan_table())
    gained = t("pcan/out", (CHANNELS,), "uint32")
    net.ops.append(Op("PCAN", [clean, noise, lut], [gained], {"snr_shift": PCAN_SNR_SHIFT}))
    logmel = t("filter_bank_log/out", (CHANNELS,), "int16")
    net.ops.append(Op("FILTER_BANK_LOG", [gained], [logmel],
                      {"input_correction_bits": CORRECTION, "output_scale": LOG_SCALE}))
    q = Quant(np.array([1 / LOG_SCALE], np.float32), np.array([0]))
    stacked, ready = t("stacker/out", (FRAMES * CHANNELS,), "int16", quant=q), \
        t("stacker/valid", (), "bool")
    net.ops.append(Op("STACKER", [logmel], [stacked, ready], {
        "num_channels": CHANNELS, "stacker_left_context": FRAMES - 1,
        "stacker_right_context": 0, "stacker_step": 1}))
    return stacked


def build(net: Net, calibration: np.ndarray) -> Graph:
    stacked = front_end(net)
    feats = features(calibration) / LOG_SCALE  # real values: ln of the gained energies
    # the whole range, with room: the float model is close, not exact, and the first frame
    # (repeated 48 times at the start) makes the top value a common one
    scale, zp = float(np.float32(1.1 * feats.max() / 255)), -128
    q8 = _tensor(net, "quantize/out", (FRAMES * CHANNELS,), "int8",
                 quant=Quant(np.array([scale], np.float32), np.array([zp])))
    net.ops.append(Op("QUANTIZE", [stacked], [q8]))
    shape = _tensor(net, "features/shape", (4,), "int32", np.array([1, FRAMES, CHANNELS, 1],
                                                                    np.int32))
    x = net._output("features", fake_quant(feats, scale, zp), "NONE", (scale, zp))
    net.ops.append(Op("RESHAPE", [q8, shape], [x.index]))
    return ds_cnn(net, Act(x.index, x.value, scale, zp))
