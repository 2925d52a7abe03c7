# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The loop of the message normaliser's full fold in C (``Normalizer._fold_pieces``): words
and the text between them, each folded from the normaliser's memos, joined, with the index of
the original character of each folded one. The memos and the function that fills them stay
in Python (normalize.py); a test compares this with the Python loop."""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.stdlib cimport free, realloc

from qalxan.detect.message._chars cimport is_alnum

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


cdef class _Out:
    """A growing buffer of folded characters and their original indexes."""

    cdef Py_UCS4 *chars
    cdef Py_ssize_t *index
    cdef Py_ssize_t n
    cdef Py_ssize_t cap

    def __dealloc__(self):
        free(self.chars)
        free(self.index)

    cdef int reserve(self, Py_ssize_t more) except -1:
        cdef Py_ssize_t need = self.n + more
        if need <= self.cap:
            return 0
        need = max(need, 2 * self.cap, 64)
        self.chars = <Py_UCS4 *> realloc(self.chars, need * sizeof(Py_UCS4))
        self.index = <Py_ssize_t *> realloc(self.index, need * sizeof(Py_ssize_t))
        if self.chars == NULL or self.index == NULL:
            raise MemoryError()
        self.cap = need
        return 0

    cdef int append(self, str folded, object rel, Py_ssize_t start) except -1:
        cdef Py_ssize_t k = 0
        cdef Py_UCS4 c
        cdef tuple offsets
        self.reserve(len(folded))
        if rel is None:
            for c in folded:
                self.chars[self.n] = c
                self.index[self.n] = start + k
                self.n += 1
                k += 1
        else:
            offsets = <tuple> rel
            if len(offsets) != len(folded):  # read below without bounds checks
                raise ValueError("a piece's offsets do not match its fold")
            for c in folded:
                self.chars[self.n] = c
                self.index[self.n] = start + <Py_ssize_t> offsets[k]
                self.n += 1
                k += 1
        return 0


cdef int _piece(_Out out, dict memo, str piece, Py_ssize_t start, bint word,
                object make) except -1:
    cdef PyObject *hit = PyDict_GetItem(memo, piece)
    value = (<object> hit) if hit != NULL else make(piece, word)
    folded, rel = value
    out.append(folded, rel, start)
    return 0


def fold_pieces(str text, dict words, dict plains, object make):
    """``Normalizer._fold_pieces`` in C: split ``text`` into words (``[^\\W_]+`` joined by
    single ``@`` or ``$``) and the text between them, fold each from its memo (``words`` or
    ``plains``; ``make(piece, is_word)`` computes and stores a missing one), and return the
    joined fold with the original index of each folded character."""
    cdef Py_ssize_t n = len(text), i = 0, j, start, pos = 0, k
    cdef _Out out = _Out()
    cdef object item  # an object: PyTuple_SET_ITEM takes over the reference taken below
    while i < n:
        if not is_alnum(text[i]):
            i += 1
            continue
        start = i
        j = i + 1
        while True:
            while j < n and is_alnum(text[j]):
                j += 1
            if j + 1 < n and (text[j] == 64 or text[j] == 36) and is_alnum(text[j + 1]):
                j += 2
                continue
            break
        if start > pos:
            _piece(out, plains, text[pos:start], pos, False, make)
        _piece(out, words, text[start:j], start, True, make)
        pos = j
        i = j
    if pos < n:
        _piece(out, plains, text[pos:n], pos, False, make)
    index = PyTuple_New(out.n)
    for k in range(out.n):
        item = out.index[k]
        Py_INCREF(item)
        PyTuple_SET_ITEM(index, k, item)
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out.chars, out.n), index
