import numpy as np
from numpy.typing import NDArray

def ngram_dot(
    data: bytes, ngram_min: int, ngram_max: int, n_buckets: int, weights: NDArray[np.float64]
) -> tuple[float, float]: ...
def token_dot(
    tokens: list[str], n_buckets: int, offset: int, weights: NDArray[np.float64]
) -> tuple[float, float]: ...
def token_buckets(tokens: list[str], n_buckets: int, out: NDArray[np.int64]) -> None: ...
def source_words(source: str) -> frozenset[str]: ...
def simhash(tags: list[str], n: int = 4) -> int: ...
def forest_sum(
    x: NDArray[np.float64],
    roots: NDArray[np.int32],
    feature: NDArray[np.int32],
    threshold: NDArray[np.float64],
    left: NDArray[np.int32],
    right: NDArray[np.int32],
    leaf: NDArray[np.float64],
    max_feature: int,
) -> float: ...
