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


@nb.njit(inline="always", cache=True)
def geometric_skip(key: np.uint64, agent: np.int64, counter: np.int64, p: float) -> np.int64:
    """Number of weeks until the next success of a Bernoulli(p)-per-week process (>= 1)."""
    if p >= 1.0:
        return np.int64(1)
    if p <= 0.0:
        return np.int64(1 << 40)
    u = uniform(key, agent, counter)
    return np.int64(min(np.floor(np.log1p(-u) / np.log1p(-p)), 1099511627776.0)) + 1


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
