"""Named, seeded random streams with draws indexed by agent (common random numbers).

Every stochastic decision has its own stream, keyed from one ``numpy.random.SeedSequence``
by (replicate, stream name). A draw is a pure function of (stream key, agent id, week,
slot): a counter-based generator (SplitMix64 finaliser over the triple). So:

- equal seeds give bit-identical results, serially, in parallel threads or on a cluster,
  because no draw depends on the order in which agents or threads are visited;
- the baseline and reform arms of a comparison use the same keys, so agent ``i`` in week
  ``t`` sees the same number for the same decision in both arms, and a difference between
  arms is the policy's and not noise (Starsim's CRN design; Klein et al., arXiv:2409.02086).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numba as nb
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@nb.njit(inline="always", cache=True)
def mix64(x: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective avalanche on 64 bits."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@nb.njit(inline="always", cache=True)
def draw_u64(key: np.uint64, agent: np.int64, counter: np.int64) -> np.uint64:
    """64 random bits for (stream key, agent, counter)."""
    h = mix64(key ^ (np.uint64(agent) * _GOLDEN))
    return mix64(h + np.uint64(counter) * _M2 + _GOLDEN)


@nb.njit(inline="always", cache=True)
def uniform(key: np.uint64, agent: np.int64, counter: np.int64) -> float:
    """A uniform draw in [0, 1) for (stream key, agent, counter)."""
    return float(draw_u64(key, agent, counter) >> np.uint64(11)) * _INV53


def _ziggurat_tables(
    f: Callable[[float], float], f_inv: Callable[[float], float], r: float, v: float, bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Marsaglia & Tsang's (2000) ziggurat for a decreasing density ``f`` on [0, ∞): 256 layers of
    equal area ``v``, the base strip's edge at ``r``, for ``bits``-bit integers. ``k[i]`` accepts at
    once, ``w[i]`` scales the integer to ``x``, ``f[i] = f(x_i)``. The construction of NumPy's
    ``random_standard_exponential`` and ``random_standard_normal`` tables."""
    layers = 256
    m = 2.0**bits
    k = np.zeros(layers, np.uint64)
    w = np.zeros(layers, np.float64)
    fx = np.zeros(layers, np.float64)
    q = v / f(r)
    k[0] = np.uint64((r / q) * m)
    w[0] = q / m
    w[layers - 1] = r / m
    fx[0] = 1.0
    fx[layers - 1] = f(r)
    x, prev = r, r
    for i in range(layers - 2, 0, -1):
        x = f_inv(v / x + f(x))
        k[i + 1] = np.uint64((x / prev) * m)
        prev = x
        fx[i] = f(x)
        w[i] = x / m
    return k, w, fx, r


# the exponential, f(x) = exp(-x), for 53-bit integers
_ZIG_K, _ZIG_W, _ZIG_F, _ZIG_R = _ziggurat_tables(
    lambda x: np.exp(-x), lambda y: -np.log(y), 7.69711747013104972, 3.949659822581572e-3, 53
)
# the normal's half, f(x) = exp(-x²/2), for 52-bit integers (one more bit is the sign)
_NZIG_K, _NZIG_W, _NZIG_F, _NZIG_R = _ziggurat_tables(
    lambda x: np.exp(-0.5 * x * x),
    lambda y: np.sqrt(-2.0 * np.log(y)),
    3.6541528853610088,
    0.00492867323399,
    52,
)


@nb.njit(inline="always", cache=True)
def _retry(key: np.uint64, attempt: np.uint64, agent: np.int64, counter: np.int64) -> np.uint64:
    """64 bits for a ziggurat's rare case: attempt ``a`` draws under the key ``mix64(key + a·φ)``,
    so the result stays a pure function of (key, agent, counter)."""
    return draw_u64(mix64(key + attempt * _GOLDEN), agent, counter)


@nb.njit(inline="always", cache=True)
def _exponential_layer(h: np.uint64) -> tuple[np.uint64, np.uint64, float]:
    """A draw's layer (bits 3–10), position in it (bits 11–63) and ``x``. The layer is unsigned, so
    the hot path's table reads need no negative-index wrapping."""
    idx = (h >> np.uint64(3)) & np.uint64(0xFF)
    ri = h >> np.uint64(11)
    return idx, ri, float(ri) * _ZIG_W[idx]


@nb.njit(cache=True)
def _exponential_rare(key: np.uint64, agent: np.int64, counter: np.int64, idx: np.int64, x: float) -> float:
    """The ziggurat's rare cases (about 1 % of draws): the base strip's tail, a wedge, or a fresh
    try, each drawn by ``_retry``."""
    a = np.uint64(0)
    while True:
        a += np.uint64(1)
        u = float(_retry(key, a, agent, counter) >> np.uint64(11)) * _INV53
        if idx == 0:
            return _ZIG_R - np.log1p(-u)  # the tail beyond r: r + Exp(1), memoryless
        if (_ZIG_F[idx - 1] - _ZIG_F[idx]) * u + _ZIG_F[idx] < np.exp(-x):
            return x  # under the curve in the wedge
        a += np.uint64(1)
        layer, ri, x = _exponential_layer(_retry(key, a, agent, counter))
        idx = np.int64(layer)
        if ri < _ZIG_K[layer]:
            return x


@nb.njit(inline="always", cache=True)
def exponential(key: np.uint64, agent: np.int64, counter: np.int64) -> float:
    """A standard exponential draw for (stream key, agent, counter), by the ziggurat.

    Why not ``-log(U)``: the logarithm was a quarter of the buyer kernel's time (every candidate
    draws his next gap); the ziggurat settles 99 % of draws with one table lookup and a multiply.
    Bits 3–10 of the draw pick the layer and bits 11–63 the position, as in NumPy."""
    idx, ri, x = _exponential_layer(draw_u64(key, agent, counter))
    if ri < _ZIG_K[idx]:
        return x
    return _exponential_rare(key, agent, counter, np.int64(idx), x)


@nb.njit(inline="always", cache=True)
def _normal_layer(h: np.uint64) -> tuple[np.int64, np.uint64, float]:
    """A draw's layer (bits 0–7), position in it (bits 9–60) and signed ``x`` (bit 8 the sign)."""
    idx = np.int64(h & np.uint64(0xFF))
    rabs = (h >> np.uint64(9)) & np.uint64(0x000FFFFFFFFFFFFF)
    x = float(rabs) * _NZIG_W[idx]
    if (h >> np.uint64(8)) & np.uint64(1):
        x = -x
    return idx, rabs, x


@nb.njit(cache=True)
def _normal_rare(key: np.uint64, agent: np.int64, counter: np.int64, idx: np.int64, x: float) -> float:
    """The normal ziggurat's rare cases (about 1 % of draws), each drawn by ``_retry``.
    The tail beyond ``r`` is Marsaglia's (1964): ``r + X`` with ``X`` exponential of rate ``r``,
    kept with probability ``exp(-X²/2)``."""
    a = np.uint64(0)
    while True:
        a += np.uint64(1)
        h = _retry(key, a, agent, counter)
        if idx == 0:  # the tail is sampled until accepted (a fresh try would thin it)
            while True:
                xx = -np.log1p(-float(h >> np.uint64(11)) * _INV53) / _NZIG_R
                a += np.uint64(1)
                yy = -np.log1p(-float(_retry(key, a, agent, counter) >> np.uint64(11)) * _INV53)
                if yy + yy > xx * xx:
                    return -(_NZIG_R + xx) if x < 0.0 else _NZIG_R + xx
                a += np.uint64(1)
                h = _retry(key, a, agent, counter)
        elif (_NZIG_F[idx - 1] - _NZIG_F[idx]) * (float(h >> np.uint64(11)) * _INV53) + _NZIG_F[idx] < np.exp(
            -0.5 * x * x
        ):
            return x  # under the curve in the wedge
        a += np.uint64(1)
        idx, rabs, x = _normal_layer(_retry(key, a, agent, counter))
        if rabs < _NZIG_K[idx]:
            return x


@nb.njit(inline="always", cache=True)
def normal(key: np.uint64, agent: np.int64, counter: np.int64) -> float:
    """A standard normal draw for (stream key, agent, counter), by the ziggurat.

    Why not Box–Muller: its logarithm, square root and cosine made the normal the costliest part
    of drawing a buyer. Bits 0–7 pick the layer, bit 8 the sign and bits 9–60 the position, as in
    NumPy."""
    idx, rabs, x = _normal_layer(draw_u64(key, agent, counter))
    if rabs < _NZIG_K[idx]:
        return x
    return _normal_rare(key, agent, counter, idx, x)


@nb.njit(inline="always", cache=True)
def geometric_gap(key: np.uint64, agent: np.int64, counter: np.int64, scale: float) -> np.int64:
    """Weeks until the next success of a Bernoulli(p)-per-week process (>= 1), given
    ``scale = -1 / log(1 - p)`` (precomputed by callers that draw often with the same ``p``):
    ``floor(E · scale) + 1`` with ``E`` exponential is geometric with parameter ``p``."""
    return np.int64(min(exponential(key, agent, counter) * scale, 1099511627776.0)) + 1


@nb.njit(inline="always", cache=True)
def geometric_skip(key: np.uint64, agent: np.int64, counter: np.int64, p: float) -> np.int64:
    """Number of weeks until the next success of a Bernoulli(p)-per-week process (>= 1)."""
    if p >= 1.0:
        return np.int64(1)
    if p <= 0.0:
        return np.int64(1 << 40)
    return geometric_gap(key, agent, counter, -1.0 / np.log1p(-p))


@nb.njit(cache=True)
def poisson(key: np.uint64, agent: np.int64, counter: np.int64, lam: float) -> np.int64:
    """An exact Poisson draw by inversion: the smallest k with F(k) ≥ U. Up to a mean of 60 the pmf
    is summed directly (``market.match_tables`` builds the same sums); above, in log space, so
    exp(−mean) cannot underflow. For a fixed (key, agent, counter) a larger mean never gives a
    smaller count, so arms that share the uniform are monotonically coupled. The cost grows with
    the mean."""
    if lam <= 0.0:
        return np.int64(0)
    u = uniform(key, agent, counter)
    k = 0
    if lam <= 60.0:
        p = np.exp(-lam)
        s = p
        while u > s and k < 1000:
            k += 1
            p *= lam / k
            s += p
        return np.int64(k)
    log_lam = np.log(lam)
    log_p = -lam
    s = np.exp(log_p)
    k_max = lam + 40.0 * np.sqrt(lam) + 100.0
    while u > s and k < k_max:
        k += 1
        log_p += log_lam - np.log(k)
        s += np.exp(log_p)
    return np.int64(k)


def _name_word(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


class Streams:
    """The stream keys of one replicate: ``streams["buyer.purchase"]`` is a uint64 key.

    Keys are derived with ``SeedSequence(seed, spawn_key=(replicate, hash(name)))`` so they
    do not depend on the order in which streams are requested. Asking for two names that
    hash to the same key raises, as Starsim's ``check_seeds`` does.
    """

    def __init__(self, seed: int, replicate: int = 0) -> None:
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)
        self.replicate = int(replicate)
        self._keys: dict[str, np.uint64] = {}

    def __getitem__(self, name: str) -> np.uint64:
        key = self._keys.get(name)
        if key is None:
            ss = np.random.SeedSequence(self.seed, spawn_key=(self.replicate, _name_word(name)))
            key = np.uint64(ss.generate_state(1, dtype=np.uint64)[0])
            if key in self._keys.values():
                raise RuntimeError(f"random stream '{name}' collides with another stream's key")
            self._keys[name] = key
        return key

    def keys(self, *names: str) -> np.ndarray:
        """Keys for several streams as one uint64 array, in the order given."""
        return np.array([self[n] for n in names], dtype=np.uint64)

    def generator(self, name: str) -> np.random.Generator:
        """A NumPy Generator for setup draws that are indexed by position, not by agent."""
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(self.replicate, _name_word(name)))
        )
