# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The hashed features of the URL and page models, compiled.

- URL model: the weights of the CRC-32 buckets a URL's byte n-grams (or word tokens) fall
  into, summed with their counts in one pass. The Python path (``model._ngram_counts``,
  ``model._token_counts`` and ``model._dot``) gives the same buckets and counts; the sums
  agree to rounding (tests/url/test_hashdot.py).
- Page model and fingerprint (``qalxan.detect.page``): token buckets, the identifiers of a
  page's source, the SimHash of its tag 4-grams and the sum of its boosted trees. Each gives
  exactly what its Python path gives (tests/page/test_page_compiled.py).

The CRC-32 here is zlib's (polynomial 0xEDB88320), so the buckets are those of training.
"""

from libc.stdint cimport int32_t, uint32_t, uint64_t
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


cdef inline uint32_t _crc_from(uint32_t start, const unsigned char* p, Py_ssize_t n) noexcept nogil:
    """``zlib.crc32(data, start)``."""
    cdef uint32_t c = start ^ 0xFFFFFFFFu
    cdef Py_ssize_t i
    for i in range(n):
        c = _TABLE[(c ^ p[i]) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFFu


cdef inline uint32_t _crc(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    return _crc_from(0, p, n)


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


cdef extern from "Python.h":
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil
    object PyUnicode_Substring(object text, Py_ssize_t start, Py_ssize_t end)


cdef uint64_t _FNV_BASIS = 14695981039346656037ULL
cdef uint64_t _FNV_PRIME = 1099511628211ULL


cdef inline bint _source_char(Py_UCS4 c) noexcept nogil:
    return (97 <= c <= 122) or (48 <= c <= 57) or c == 95 or c == 45


cdef struct Spans:
    uint64_t* hashes  # 0: an empty slot
    Py_ssize_t* starts
    Py_ssize_t* sizes
    Py_ssize_t mask
    Py_ssize_t used


cdef int _spans_open(Spans* t, Py_ssize_t cap) except -1:
    t.hashes = <uint64_t*>calloc(cap, sizeof(uint64_t))
    t.starts = <Py_ssize_t*>calloc(cap, sizeof(Py_ssize_t))
    t.sizes = <Py_ssize_t*>calloc(cap, sizeof(Py_ssize_t))
    t.mask = cap - 1
    t.used = 0
    if t.hashes == NULL or t.starts == NULL or t.sizes == NULL:
        _spans_free(t)
        raise MemoryError()
    return 0


cdef void _spans_free(Spans* t) noexcept:
    free(t.hashes)
    free(t.starts)
    free(t.sizes)
    t.hashes = NULL
    t.starts = NULL
    t.sizes = NULL


cdef inline bint _same(int kind, void* data, Py_ssize_t a, Py_ssize_t b, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n):
        if PyUnicode_READ(kind, data, a + k) != PyUnicode_READ(kind, data, b + k):
            return False
    return True


cdef int _spans_add(
    Spans* t, int kind, void* data, Py_ssize_t start, Py_ssize_t size, uint64_t h
) except -1:
    """Add the span unless an equal one (same characters) is in the table; grows it."""
    cdef Py_ssize_t i = <Py_ssize_t>(h & <uint64_t>t.mask)
    cdef Spans grown
    cdef Py_ssize_t k
    while t.hashes[i] != 0:
        if t.hashes[i] == h and t.sizes[i] == size and _same(kind, data, t.starts[i], start, size):
            return 0
        i = (i + 1) & t.mask
    t.hashes[i] = h
    t.starts[i] = start
    t.sizes[i] = size
    t.used += 1
    if t.used * 2 > t.mask:
        _spans_open(&grown, (t.mask + 1) * 2)
        for k in range(t.mask + 1):
            if t.hashes[k] != 0:
                i = <Py_ssize_t>(t.hashes[k] & <uint64_t>grown.mask)
                while grown.hashes[i] != 0:
                    i = (i + 1) & grown.mask
                grown.hashes[i] = t.hashes[k]
                grown.starts[i] = t.starts[k]
                grown.sizes[i] = t.sizes[k]
        grown.used = t.used
        _spans_free(t)
        t[0] = grown
    return 0


def source_words(str source):
    """The distinct matches of ``re.findall(r"[a-z][a-z0-9_-]{1,30}", source)`` (the same
    scan: a match starts at a letter, takes up to 31 characters and needs 2; the next one
    starts where it ended, a failed start moves one character on). Each distinct word
    becomes a string once (a page repeats most of its identifiers many times)."""
    cdef Py_ssize_t n = len(source)
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t j, k
    cdef Py_UCS4 c
    cdef uint64_t h
    cdef int kind = PyUnicode_KIND(source)
    cdef void* data = PyUnicode_DATA(source)
    cdef Spans t
    cdef list out = []
    _spans_open(&t, 256)
    try:
        while i < n:
            c = PyUnicode_READ(kind, data, i)
            if 97 <= c <= 122:
                h = (_FNV_BASIS ^ <uint64_t>c) * _FNV_PRIME  # FNV-1a over the characters
                j = i + 1
                while j < n and j - i < 31:
                    c = PyUnicode_READ(kind, data, j)
                    if not _source_char(c):
                        break
                    h = (h ^ <uint64_t>c) * _FNV_PRIME
                    j += 1
                if j - i >= 2:
                    _spans_add(&t, kind, data, i, j - i, h | 1)
                    i = j
                    continue
            i += 1
        for k in range(t.mask + 1):
            if t.hashes[k] != 0:
                out.append(PyUnicode_Substring(source, t.starts[k], t.starts[k] + t.sizes[k]))
    finally:
        _spans_free(&t)
    return frozenset(out)


def simhash(list tags, Py_ssize_t n=4):
    """``qalxan.detect.page.fingerprint.simhash``: the 64-bit SimHash of the distinct tag
    n-grams (each hashed as ``crc32 << 32 | crc32(seed 0x5BD1E995)`` of its ASCII form)."""
    cdef set grams
    cdef Py_ssize_t i, b
    cdef Py_ssize_t m = 0
    cdef long long votes[64]
    cdef uint64_t h
    cdef uint64_t result = 0
    cdef bytes raw
    if len(tags) < n:
        grams = {" ".join(tags)} if tags else set()
    else:
        grams = {" ".join(tags[i : i + n]) for i in range(len(tags) - n + 1)}
    for b in range(64):
        votes[b] = 0
    for gram in grams:
        raw = (<str>gram).encode("ascii", "replace")
        h = (<uint64_t>_crc(raw, len(raw)) << 32) | _crc_from(0x5BD1E995u, raw, len(raw))
        for b in range(64):
            votes[b] += (h >> b) & 1
        m += 1
    for b in range(64):
        if votes[b] * 2 - m > 0:
            result |= (<uint64_t>1) << b
    return result


def forest_sum(
    const double[::1] x,
    const int32_t[::1] roots,
    const int32_t[::1] feature,
    const double[::1] threshold,
    const int32_t[::1] left,
    const int32_t[::1] right,
    const double[::1] leaf,
    int32_t max_feature,
):
    """The raw score of LightGBM trees with numerical ``<=`` splits and no missing-value
    handling (NaN is read as 0.0, as LightGBM does then): the sum over trees of the leaf the
    row ``x`` reaches, in tree order. A child ``c >= 0`` is an internal node, ``c < 0`` is leaf
    ``~c``. The caller (``qalxan.detect.page.model.Forest``) has checked that every index is
    in range and every internal child comes after its parent."""
    cdef double total = 0.0
    cdef double v
    cdef Py_ssize_t t
    cdef int32_t node
    if x.shape[0] <= max_feature:
        raise ValueError("row shorter than the trees' features")
    for t in range(roots.shape[0]):
        node = roots[t]
        while node >= 0:
            v = x[feature[node]]
            if v != v:
                v = 0.0
            node = left[node] if v <= threshold[node] else right[node]
        total += leaf[~node]
    return total
