"""equality-model: a policy lab for the Equality Model (Nordic model) of prostitution law."""

import os as _os

# Numba's OpenMP threads otherwise spin between parallel sections; on a 2-core machine that starves
# the serial parts of a step (measured ~3x slower in benchmarks/reference). Users may override it.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
