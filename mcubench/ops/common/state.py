"""State TFLite Micro's stateful signal operators (FRAMER, DELAY, STACKER) keep between invokes:
circular buffers of int16 samples, as its CircularBuffer holds them (read and write positions, an
empty flag; the samples follow the header). The aot backend keeps them in static memory and
resets them in mb_model_setup, the interpreter in its records, reset by the operator's prepare;
both as TFLite Micro resets them at its setup."""
from __future__ import annotations

from .cstruct import I32, Struct, fields

CBUF = Struct("mb_cbuf", "A circular buffer of `capacity` int16 samples, which follow this header "
                         "(in 4-byte words: mb_cbuf_words).",
              fields(I32, "capacity", "read", "write", "empty"))


def cbuf_words(capacity: int) -> int:
    """4-byte words of one buffer with its samples (runtime/kernels/signal_cbuf.c: the header's
    words, then the samples rounded up to a word)."""
    return CBUF.size() // 4 + (capacity + 1) // 2
