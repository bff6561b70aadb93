"""What several operator modules share: typed C struct declarations (cstruct.py), TFLite's
quantization arithmetic (qmath.py), the LOAD checks' vocabulary (check.py), the optimized
kernels' folding (fold.py), and the families' common parts (conv.py, pool.py, activation.py,
move.py, broadcast.py)."""
