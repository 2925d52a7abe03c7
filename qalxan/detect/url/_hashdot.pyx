# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The lexical URL model's hashed features, compiled: the weights of the CRC-32 buckets a
URL's byte n-grams (or word tokens) fall into, summed with their counts in one pass.

The Python path (``model._ngram_counts``, ``model._token_counts`` and ``model._dot``) gives
the same buckets and counts; the sums agree to rounding (tests/url/test_hashdot.py). The
CRC-32 here is zlib's (polynomial 0xEDB88320), so the buckets are those of training.
"""

from libc.stdint cimport uint32_t
from libc.stdlib cimport calloc, free

cdef uint32_t _TABLE[256]


cdef void _init_table() noexcept:
    cdef uint32_t c
    cdef int n, k
    for n in range(256):
        c = <uint32_t>n
        for k in range(8):
            if c & 1:
                c = 0xEDB88320u ^ (c >> 1)
            else:
                c = c >> 1
        _TABLE[n] = c


_init_table()


cdef inline uint32_t _crc(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    cdef uint32_t c = 0xFFFFFFFFu
    cdef Py_ssize_t i
    for i in range(n):
        c = _TABLE[(c ^ p[i]) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFFu


cdef struct Counts:
    uint32_t* keys  # bucket + 1 (0: an empty slot)
    long* counts
    Py_ssize_t mask


cdef int _open(Counts* t, Py_ssize_t items) except -1:
    cdef Py_ssize_t cap = 16
    while cap < 2 * items:
        cap *= 2
    t.keys = <uint32_t*>calloc(cap, sizeof(uint32_t))
    t.counts = <long*>calloc(cap, sizeof(long))
    t.mask = cap - 1
    if t.keys == NULL or t.counts == NULL:
        free(t.keys)
        free(t.counts)
        raise MemoryError()
    return 0


cdef inline void _add(Counts* t, uint32_t bucket) noexcept nogil:
    cdef uint32_t key = bucket + 1
    cdef Py_ssize_t i = (<Py_ssize_t>(key * 2654435761u)) & t.mask
    while t.keys[i] != 0 and t.keys[i] != key:
        i = (i + 1) & t.mask
    t.keys[i] = key
    t.counts[i] += 1


cdef tuple _close(Counts* t, const double[::1] weights, Py_ssize_t offset):
    """(sum of weight * count, sum of count squared) over the table's buckets; frees it."""
    cdef double dot = 0.0
    cdef double sumsq = 0.0
    cdef Py_ssize_t i
    cdef long c
    for i in range(t.mask + 1):
        if t.keys[i] != 0:
            c = t.counts[i]
            dot += weights[offset + t.keys[i] - 1] * c
            sumsq += <double>(c * c)
    free(t.keys)
    free(t.counts)
    return dot, sumsq


def ngram_dot(
    bytes data, int ngram_min, int ngram_max, Py_ssize_t n_buckets, const double[::1] weights
):
    """(dot, sum of squares) of the byte n-gram bucket counts of ``data`` with ``weights``
    (bucket ``h`` is ``crc32(n-gram) % n_buckets``; weights from index 0)."""
    cdef const unsigned char* p = data
    cdef Py_ssize_t size = len(data)
    cdef Py_ssize_t n, i, items = 0
    cdef Counts t
    if n_buckets <= 0 or n_buckets > weights.shape[0]:
        raise ValueError("n_buckets out of range of the weights")
    for n in range(ngram_min, ngram_max + 1):
        if size >= n:
            items += size - n + 1
    _open(&t, items)
    for n in range(ngram_min, ngram_max + 1):
        for i in range(size - n + 1):
            _add(&t, _crc(p + i, n) % <uint32_t>n_buckets)
    return _close(&t, weights, 0)


def token_dot(list tokens, Py_ssize_t n_buckets, Py_ssize_t offset, const double[::1] weights):
    """(dot, sum of squares) of the token bucket counts (``crc32(utf-8) % n_buckets``) with
    ``weights[offset:]``."""
    cdef Counts t
    cdef bytes raw
    cdef object token
    if n_buckets <= 0 or offset < 0 or offset + n_buckets > weights.shape[0]:
        raise ValueError("token buckets out of range of the weights")
    _open(&t, len(tokens))
    for token in tokens:
        raw = (<str>token).encode("utf-8")
        _add(&t, _crc(raw, len(raw)) % <uint32_t>n_buckets)
    return _close(&t, weights, offset)


def token_buckets(list tokens, Py_ssize_t n_buckets, long long[::1] out):
    """Write ``crc32(utf-8) % n_buckets`` of each token into ``out`` (as long as ``tokens``).
    The page model's hashed tokens (``qalxan.detect.page.model``) use it."""
    cdef bytes raw
    cdef object token
    cdef Py_ssize_t i = 0
    if n_buckets <= 0 or out.shape[0] != len(tokens):
        raise ValueError("bad bucket count or output length")
    for token in tokens:
        raw = (<str>token).encode("utf-8")
        out[i] = _crc(raw, len(raw)) % <uint32_t>n_buckets
        i += 1
