import numpy as np
from numpy.typing import NDArray

def ngram_dot(
    data: bytes, ngram_min: int, ngram_max: int, n_buckets: int, weights: NDArray[np.float64]
) -> tuple[float, float]: ...
def token_dot(
    tokens: list[str], n_buckets: int, offset: int, weights: NDArray[np.float64]
) -> tuple[float, float]: ...
def token_buckets(tokens: list[str], n_buckets: int, out: NDArray[np.int64]) -> None: ...
