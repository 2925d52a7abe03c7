# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled batch kernel of the message detector (the Python reference is in kernel.py).

One pass per message does what the batch path otherwise does with ``str.translate``, a
regular expression tokeniser, numpy feature sums and four regular-expression scans:

- the fast fold (the ``Normalizer`` translate table, one to at most two characters);
- the text model's log-odds and probability (tokens, distinct unigram and bigram features,
  fixed-point sum of their weights), bit for bit the number of ``TextModel.decision_one``;
- flags: a link-like shape (``URLISH`` of prefilter.py in the folded text, or a dot
  followed by a public-suffix TLD in the original: ``prefilter.tld_dot``), a trick that
  ``Normalizer.needs_full`` may see in the original text (the union of ``TRICK_SCANS``),
  and ``guess_lang``'s answer.

The loop of the full fold is in ``_fold.pyx``; the character classes in ``_chars.pxd``.

Character classes follow Python's ``re`` for ``str`` patterns: ``\\w`` is ``isalnum`` or
``_``, ``\\d`` is a Unicode decimal digit, ``\\s`` is ``isspace``.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject, PyObject_GenericSetAttr
from libc.math cimport exp, ldexp, sqrt
from libc.stdlib cimport free, malloc, qsort, realloc

from qalxan.detect.message._chars cimport (
    is_cyr,
    is_decimal,
    is_latin3,
    is_letter,
    is_odd,
    is_sign,
    is_space,
    is_spacer,
    is_word,
)

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND

# Flag bits of :meth:`Kernel.scan` (kernel.py names them).
DEF F_URLISH = 1
DEF F_TRICKY = 2
DEF F_AZ = 4
DEF F_RU = 8
DEF F_MODEL_FALLBACK = 16
DEF LANG_SAMPLE = 2000
DEF TOKEN_MAX = 6
DEF TLD_PACK = 12  # letters of a TLD packed in a table key (5 bits each)

cdef long long INT_LIMIT = 1LL << 62


cdef int cmp_ll(const void *a, const void *b) noexcept nogil:
    cdef long long x = (<const long long *> a)[0]
    cdef long long y = (<const long long *> b)[0]
    return (x > y) - (x < y)


cdef inline void sort_ll(long long *a, Py_ssize_t n) noexcept nogil:
    """Insertion sort for the short feature lists of a message, qsort for long ones."""
    cdef Py_ssize_t i, j
    cdef long long v
    if n > 48:
        qsort(a, n, sizeof(long long), cmp_ll)
        return
    for i in range(1, n):
        v = a[i]
        j = i - 1
        while j >= 0 and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


cdef bint tricky(const Py_UCS4 *t, Py_ssize_t n) noexcept nogil:
    """The union of normalize.TRICK_SCANS (a necessary condition of needs_full)."""
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    for i in range(n):
        c = t[i]
        if is_odd(c):
            return True
        if i + 1 < n and is_space(c) and is_space(t[i + 1]):
            return True
        if (48 <= c <= 57 or c == 64 or c == 36) and 0 < i < n - 1:
            if is_letter(t[i - 1]) and is_letter(t[i + 1]):
                return True
        if is_cyr(c) and ((i > 0 and is_latin3(t[i - 1])) or (i + 1 < n and is_latin3(t[i + 1]))):
            return True
        if is_spacer(c) and i >= 1 and i + 3 < n and is_word(t[i - 1]) \
                and (i < 2 or not is_word(t[i - 2])) and is_word(t[i + 1]) \
                and is_spacer(t[i + 2]) and is_word(t[i + 3]) \
                and (i + 4 == n or not is_word(t[i + 4])):
            return True
    return False


cdef bint urlish(const Py_UCS4 *t, Py_ssize_t n) noexcept nogil:
    """prefilter.URLISH on a folded text:
    ``@\\w|[\\[(](?:\\.|dot)|h(?:tt|xx)ps?:|www|\\d[\\d -]{11,}\\d``."""
    cdef Py_ssize_t i, j, first, last
    cdef Py_UCS4 c
    for i in range(n):
        c = t[i]
        if c == 64:  # @
            if i + 1 < n and is_word(t[i + 1]):
                return True
        elif c == 91 or c == 40:  # [ (
            if i + 1 < n and t[i + 1] == 46:
                return True
            if i + 3 < n and t[i + 1] == 100 and t[i + 2] == 111 and t[i + 3] == 116:
                return True
        elif c == 104:  # h(?:tt|xx)ps?:
            if i + 4 < n and ((t[i + 1] == 116 and t[i + 2] == 116)
                              or (t[i + 1] == 120 and t[i + 2] == 120)) and t[i + 3] == 112:
                if t[i + 4] == 58 or (t[i + 4] == 115 and i + 5 < n and t[i + 5] == 58):
                    return True
        elif c == 119:  # www
            if i + 2 < n and t[i + 1] == 119 and t[i + 2] == 119:
                return True
    # \d[\d -]{11,}\d: some run of [\d -] whose first and last digits are 12 or more apart.
    i = 0
    while i < n:
        if not is_decimal(t[i]):
            i += 1
            continue
        first = i
        last = i
        j = i + 1
        while j < n and (t[j] == 32 or t[j] == 45 or is_decimal(t[j])):
            if is_decimal(t[j]):
                last = j
            j += 1
        if last - first >= 12:
            return True
        i = j
    return False


cdef inline bint is_az_cyr(Py_UCS4 c) noexcept nogil:
    # guess_lang's _AZ_CYR, [әғҹөүһјҝ] with IGNORECASE.
    return c == 0x408 or c == 0x458 or c == 0x492 or c == 0x493 or c == 0x49C \
        or c == 0x49D or c == 0x4AE or c == 0x4AF or 0x4B8 <= c <= 0x4BB or c == 0x4D8 \
        or c == 0x4D9 or c == 0x4E8 or c == 0x4E9


cdef inline bint is_az_letter(Py_UCS4 c) noexcept nogil:
    # guess_lang's _AZ_LETTERS, [əğışçöüƏĞİŞÇÖÜ].
    return c == 0xC7 or c == 0xD6 or c == 0xDC or c == 0xE7 or c == 0xF6 or c == 0xFC \
        or c == 0x11E or c == 0x11F or c == 0x130 or c == 0x131 or c == 0x15E \
        or c == 0x15F or c == 0x18F or c == 0x259


cdef int lang_of(const Py_UCS4 *t, Py_ssize_t n) noexcept nogil:
    """``guess_lang`` of an original text: F_AZ, F_RU or 0 (en)."""
    cdef Py_ssize_t i, ncyr = 0, nspace = 0
    cdef bint ascii = True, az_cyr = False, az_letter = False
    cdef Py_UCS4 c
    if n > LANG_SAMPLE:
        n = LANG_SAMPLE
    for i in range(n):
        c = t[i]
        if c == 32:
            nspace += 1
        elif c >= 128:
            ascii = False
            if is_cyr(c):
                ncyr += 1
                az_cyr = az_cyr or is_az_cyr(c)
            elif is_az_letter(c):
                az_letter = True
    if not ascii:
        if ncyr > 0:
            if az_cyr:
                return F_AZ
            if <double> ncyr > 0.3 * <double> (n - nspace):
                return F_RU
        if az_letter:
            return F_AZ
    return F_AZ if az_word(t, n) else 0


cdef bint az_word(const Py_UCS4 *t, Py_ssize_t n) noexcept nogil:
    """``guess_lang``'s _AZ_WORDS on a sample without Azerbaijani letters, lowercased: a
    whole word among ve, ucun, sizin, edin, olunub, salam, zehmet, kartiniz. Of the
    characters outside ASCII only the Kelvin sign lowercases into one (k); İ, the other,
    is an Azerbaijani letter."""
    cdef Py_ssize_t i = 0, j, k, m
    cdef char w[9]
    cdef unsigned int u
    cdef bint ascii
    while i < n:
        if not is_word(t[i]):
            i += 1
            continue
        j = i
        while j < n and is_word(t[j]):
            j += 1
        m = j - i
        if 2 <= m <= 8:
            ascii = True
            for k in range(m):
                u = t[i + k]
                if u == 0x212A:
                    u = 107
                elif u >= 128:
                    ascii = False
                    break
                w[k] = <char> (u + 32 if 65 <= u <= 90 else u)
            w[m] = 0
            if ascii and ((m == 2 and w[0] == 118 and w[1] == 101) or _az_long(w, m)):
                return True
        i = j
    return False


cdef bint _az_long(const char *w, Py_ssize_t m) noexcept nogil:
    if m == 4:
        return _eq(w, b"ucun", 4) or _eq(w, b"edin", 4)
    if m == 5:
        return _eq(w, b"sizin", 5) or _eq(w, b"salam", 5)
    if m == 6:
        return _eq(w, b"olunub", 6) or _eq(w, b"zehmet", 6)
    if m == 8:
        return _eq(w, b"kartiniz", 8)
    return False


cdef inline bint _eq(const char *a, const char *b, Py_ssize_t m) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(m):
        if a[k] != b[k]:
            return False
    return True


cdef struct Table:
    # Open addressing, linear probing; key 0 marks a free slot.
    unsigned long long *keys
    long long *vals
    unsigned long long mask


cdef int table_init(Table *t, Py_ssize_t n) except -1:
    cdef Py_ssize_t size = 1024, i
    while size < 4 * n:
        size *= 2
    t.keys = <unsigned long long *> malloc(size * sizeof(unsigned long long))
    t.vals = <long long *> malloc(size * sizeof(long long))
    if t.keys == NULL or t.vals == NULL:
        raise MemoryError()
    t.mask = size - 1
    for i in range(size):
        t.keys[i] = 0
    return 0


cdef inline unsigned long long table_slot(const Table *t, unsigned long long key) noexcept nogil:
    return (key * 0x9E3779B97F4A7C15ULL) >> 20 & t.mask


cdef void table_put(Table *t, unsigned long long key, long long val) noexcept nogil:
    cdef unsigned long long slot = table_slot(t, key)
    while t.keys[slot] != 0:
        slot = (slot + 1) & t.mask
    t.keys[slot] = key
    t.vals[slot] = val


cdef inline long long table_get(const Table *t, unsigned long long key,
                                long long missing) noexcept nogil:
    cdef unsigned long long slot = table_slot(t, key)
    while t.keys[slot] != 0:
        if t.keys[slot] == key:
            return t.vals[slot]
        slot = (slot + 1) & t.mask
    return missing


cdef inline int run_letter(Py_UCS4 c) noexcept nogil:
    """The letter (1 to 26) that ``[a-z]`` with IGNORECASE reads ``c`` as (ſ is s, the
    Kelvin sign k); 27 for İ and ı, which it also reads as letters; 0 for any other."""
    if 97 <= c <= 122:
        return <int> c - 96
    if 65 <= c <= 90:
        return <int> c - 64
    if c == 0x17F:
        return 19
    if c == 0x212A:
        return 11
    if c == 0x130 or c == 0x131:
        return 27
    return 0


cdef bint tld_dot(const Table *tlds, const Py_UCS4 *t, Py_ssize_t n) noexcept nogil:
    """prefilter.tld_dot on an original text: a dot followed by a run of two or more
    letters that is a TLD of ``tlds`` (every run when the table is empty). A run longer
    than TLD_PACK letters, or with İ or ı, counts (a superset is safe)."""
    cdef Py_ssize_t i, j, k
    cdef int v
    cdef bint maybe
    cdef unsigned long long key
    for i in range(n):
        if t[i] != 46:
            continue
        j = i + 1
        key = 0
        maybe = False
        while j < n:
            v = run_letter(t[j])
            if v == 0:
                break
            k = j - i - 1
            if v == 27:
                maybe = True
            elif k < TLD_PACK:
                key |= (<unsigned long long> v) << (5 * k)
            j += 1
        k = j - i - 1
        if k < 2:
            continue
        if maybe or k > TLD_PACK or tlds.keys == NULL:
            return True
        if table_get(tlds, key | (<unsigned long long> k) << 60, 0):
            return True
    return False


cdef class _Scratch:
    """Buffers of one call: the folded text, the digit-mapped text (then the original), the
    token ids and the features of a message."""

    cdef Py_UCS4 *buf
    cdef Py_UCS4 *tok
    cdef long long *ids
    cdef long long *feats
    cdef Py_ssize_t cap

    def __dealloc__(self):
        free(self.buf)
        free(self.tok)
        free(self.ids)
        free(self.feats)

    cdef int reserve(self, Py_ssize_t n) except -1:
        """Room for a text of ``n`` characters (its fold is at most twice as long)."""
        cdef Py_ssize_t need = 2 * n + 16
        if need <= self.cap:
            return 0
        self.buf = <Py_UCS4 *> realloc(self.buf, need * sizeof(Py_UCS4))
        self.tok = <Py_UCS4 *> realloc(self.tok, need * sizeof(Py_UCS4))
        self.ids = <long long *> realloc(self.ids, need * sizeof(long long))
        self.feats = <long long *> realloc(self.feats, 2 * need * sizeof(long long))
        if self.buf == NULL or self.tok == NULL or self.ids == NULL or self.feats == NULL:
            raise MemoryError()
        self.cap = need
        return 0


cdef class Kernel:
    """The fold table and the model's integer tables, in C arrays (built once). Cython
    allocates the object zeroed, so every pointer starts NULL (``__dealloc__`` frees)."""

    cdef Py_UCS4 *fold_a
    cdef Py_UCS4 *fold_b
    cdef signed char *fold_n
    cdef Py_ssize_t fold_size
    cdef bint has_model
    cdef dict vocab
    cdef Table tokens
    cdef Table bigrams
    cdef Table tlds
    cdef const long long[::1] uni
    cdef const long long[::1] bkeys
    cdef const long long[::1] bfeat
    cdef const long long[::1] iw
    cdef long long vsize
    cdef long long maxabs
    cdef int scale
    cdef double intercept

    def __init__(self, dict table, model=None, tlds=None):
        """``table``: the fast fold (code point -> zero to two characters); ``model``:
        ``(vocab, uni, bkeys, bfeat, iw, scale, intercept)`` or None; ``tlds``: the TLDs
        that make a dot link-like (None: any run of two letters does)."""
        cdef Py_ssize_t size = (max(table) + 1) if table else 1
        cdef Py_ssize_t i
        self.fold_size = size
        self.fold_a = <Py_UCS4 *> malloc(size * sizeof(Py_UCS4))
        self.fold_b = <Py_UCS4 *> malloc(size * sizeof(Py_UCS4))
        self.fold_n = <signed char *> malloc(size)
        if self.fold_a == NULL or self.fold_b == NULL or self.fold_n == NULL:
            raise MemoryError()
        for i in range(size):
            self.fold_n[i] = -1  # unchanged
        for key, value in table.items():
            if len(value) > 2:
                raise ValueError(f"fold of {key!r} is longer than two characters")
            self.fold_n[key] = len(value)
            if len(value) > 0:
                self.fold_a[key] = ord(value[0])
            if len(value) > 1:
                self.fold_b[key] = ord(value[1])
        self.has_model = model is not None
        if model is not None:
            vocab, uni, bkeys, bfeat, iw, scale, intercept = model
            self.vocab = dict(vocab)
            self.uni = uni
            self.bkeys = bkeys
            self.bfeat = bfeat
            self.iw = iw
            self.vsize = len(vocab) + 1
            self.maxabs = max([abs(int(x)) for x in iw], default=0)
            self.scale = scale
            self.intercept = intercept
            self._index_vocab()
            self._index_bigrams()
        if tlds is not None:
            self._index_tlds(tlds)

    def __dealloc__(self):
        free(self.fold_a)
        free(self.fold_b)
        free(self.fold_n)
        free(self.tokens.keys)
        free(self.tokens.vals)
        free(self.bigrams.keys)
        free(self.bigrams.vals)
        free(self.tlds.keys)
        free(self.tlds.vals)

    cdef int _index_vocab(self) except -1:
        """The tokens of Latin-1 characters (most tokens after the fold), packed into an
        integer: looked up without building a string."""
        cdef Py_ssize_t i
        cdef unsigned long long key
        table_init(&self.tokens, len(self.vocab))
        for word, tid in self.vocab.items():
            if not 1 <= len(word) <= TOKEN_MAX or max(map(ord, word)) > 255:
                continue
            key = (<unsigned long long> len(word)) << 56
            for i in range(len(word)):
                key |= (<unsigned long long> ord(word[i])) << (8 * i)
            table_put(&self.tokens, key, tid)
        return 0

    cdef int _index_bigrams(self) except -1:
        """The bigram keys (key + 1, as 0 marks a free slot) and their features."""
        cdef Py_ssize_t i, nb = self.bkeys.shape[0]
        table_init(&self.bigrams, nb)
        for i in range(nb):
            table_put(&self.bigrams, <unsigned long long> self.bkeys[i] + 1, self.bfeat[i])
        return 0

    cdef int _index_tlds(self, tlds) except -1:
        """The TLDs of 2 to TLD_PACK letters a-z, packed 5 bits a letter, length on top
        (longer runs always count, so longer TLDs need no key)."""
        cdef Py_ssize_t i
        cdef unsigned long long key
        keep = [t for t in tlds if 2 <= len(t) <= TLD_PACK and t.isascii() and t.isalpha()]
        table_init(&self.tlds, len(keep))
        for word in keep:
            word = word.lower()
            key = (<unsigned long long> len(word)) << 60
            for i in range(len(word)):
                key |= (<unsigned long long> (ord(word[i]) - 96)) << (5 * i)
            table_put(&self.tlds, key, 1)
        return 0

    cdef long long _token_id(self, _Scratch s, Py_ssize_t i, Py_ssize_t e) except -1:
        """The vocabulary id of the token ``s.tok[i:e]`` (0: unknown)."""
        cdef unsigned long long key = (<unsigned long long> (e - i)) << 56
        cdef Py_ssize_t k
        cdef Py_UCS4 c
        cdef PyObject *hit
        for k in range(e - i):
            c = s.tok[i + k]
            if c > 255:
                word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s.tok + i, e - i)
                hit = PyDict_GetItem(self.vocab, word)
                return (<object> hit) if hit != NULL else 0
            key |= (<unsigned long long> c) << (8 * k)
        return table_get(&self.tokens, key, 0)

    cdef Py_ssize_t _fold(self, _Scratch s, str text) except -1:
        """Fold ``text`` into ``s.buf``; returns the folded length."""
        cdef Py_ssize_t n = len(text), m = 0
        cdef Py_UCS4 c
        cdef signed char k
        s.reserve(n)
        for c in text:
            if c < self.fold_size:
                k = self.fold_n[c]
                if k < 0:
                    s.buf[m] = c
                    m += 1
                elif k > 0:
                    s.buf[m] = self.fold_a[c]
                    m += 1
                    if k > 1:
                        s.buf[m] = self.fold_b[c]
                        m += 1
            else:
                s.buf[m] = c
                m += 1
        return m

    def fold(self, str text):
        """The fast fold of one text (``Normalizer.fast``)."""
        cdef _Scratch s = _Scratch()
        cdef Py_ssize_t m = self._fold(s, text)
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s.buf, m)

    cdef double _decision(self, _Scratch s, Py_ssize_t m, bint *fallback) except? -1.0:
        """Log-odds of the folded text in ``s.buf[:m]``."""
        cdef Py_ssize_t i, j, e, ntok = 0, nfeat = 0
        cdef Py_UCS4 c
        cdef long long tid, f, total = 0, count = 0
        # Digits 1-9 read as 0 (TextModel.prepare).
        for i in range(m):
            c = s.buf[i]
            s.tok[i] = 48 if 49 <= c <= 57 else c
        i = 0
        while i < m:
            c = s.tok[i]
            if is_word(c) and (i == 0 or not is_word(s.tok[i - 1])):
                j = i + 1
                while j < m and is_word(s.tok[j]):
                    j += 1
                e = i + TOKEN_MAX if j - i > TOKEN_MAX else j
            elif is_sign(c):
                j = i + 1
                e = j
            else:
                i += 1
                continue
            s.ids[ntok] = self._token_id(s, i, e)
            ntok += 1
            i = j
        for i in range(ntok):
            tid = s.ids[i]
            f = self.uni[tid]
            if f >= 0:
                s.feats[nfeat] = f
                nfeat += 1
            if i + 1 < ntok and tid > 1 and s.ids[i + 1] > 1:
                f = table_get(&self.bigrams,
                              <unsigned long long> (tid * self.vsize + s.ids[i + 1]) + 1, -1)
                if f >= 0:
                    s.feats[nfeat] = f
                    nfeat += 1
        if nfeat == 0:
            return self.intercept
        sort_ll(s.feats, nfeat)
        for i in range(nfeat):
            if i == 0 or s.feats[i] != s.feats[i - 1]:
                total += self.iw[s.feats[i]]
                count += 1
        if self.maxabs > 0 and count >= INT_LIMIT / self.maxabs:  # count * maxabs >= limit
            fallback[0] = True
            return 0.0
        return ldexp(<double> total, -self.scale) / sqrt(<double> count) + self.intercept

    def scan(self, list texts):
        """``(folded texts, probabilities or None, flags)`` for many texts (module
        docstring); a probability is None when the model is absent or its integer sum
        could overflow (the caller uses the reference path then)."""
        cdef Py_ssize_t k, n = len(texts), m, ln
        cdef str text
        cdef bint fallback
        cdef unsigned char fl
        cdef double z
        cdef Py_UCS4 c
        # Buffers of this call: a kernel is shared by threads, and Python code (a finalizer
        # run by the garbage collector) may let another thread in during a scan.
        cdef _Scratch s = _Scratch()
        folded = [None] * n
        probs = [None] * n
        flags = bytearray(n)
        for k in range(n):
            text = texts[k]
            ln = len(text)
            m = self._fold(s, text)
            fl = 0
            if urlish(s.buf, m):
                fl |= F_URLISH
            if self.has_model:
                fallback = False
                z = self._decision(s, m, &fallback)
                if fallback:
                    fl |= F_MODEL_FALLBACK
                else:
                    probs[k] = 1.0 / (1.0 + exp(-z)) if z > -700.0 else 0.0
            folded[k] = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s.buf, m)
            # The original text as UCS4 (into tok, free again after the model).
            m = 0
            for c in text:
                s.tok[m] = c
                m += 1
            if not fl & F_URLISH and tld_dot(&self.tlds, s.tok, m):
                fl |= F_URLISH
            if tricky(s.tok, m):
                fl |= F_TRICKY
            fl |= lang_of(s.tok, m)
            flags[k] = fl
        return folded, probs, bytes(flags)


def quiet_verdicts(cls, str kind, str label, list texts, list extras):
    """``cls(kind, text, label, 0.0, (), (), None, extra)`` for each text and extra: the
    quiet path's verdicts. The fields are set as the frozen dataclass's ``__init__`` sets
    them (``object.__setattr__``), without a Python call per field; kernel.py checks that
    ``cls`` has these fields in this order and nothing else to run at construction."""
    cdef Py_ssize_t i, n = len(texts)
    if len(extras) != n:
        raise ValueError("texts and extras differ in length")
    out = [None] * n
    new = object.__new__
    zero = 0.0
    empty = ()
    for i in range(n):
        v = new(cls)
        PyObject_GenericSetAttr(v, "kind", kind)
        PyObject_GenericSetAttr(v, "input", texts[i])
        PyObject_GenericSetAttr(v, "verdict", label)
        PyObject_GenericSetAttr(v, "score", zero)
        PyObject_GenericSetAttr(v, "reasons", empty)
        PyObject_GenericSetAttr(v, "indicators", empty)
        PyObject_GenericSetAttr(v, "brand", None)
        PyObject_GenericSetAttr(v, "extra", extras[i])
        out[i] = v
    return out
