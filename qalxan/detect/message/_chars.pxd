# The character classes shared by the compiled message modules (_kernel.pyx, _fold.pyx).
# They follow Python's ``re`` for ``str`` patterns: ``\w`` is ``isalnum`` or ``_``, ``\d`` a
# Unicode decimal digit, ``\s`` ``isspace``; ASCII is answered without a call.

cdef extern from "Python.h" nogil:
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch)
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)

cdef inline bint is_word(Py_UCS4 c) noexcept nogil:
    if c < 128:
        return (97 <= c <= 122) or (65 <= c <= 90) or (48 <= c <= 57) or c == 95
    return Py_UNICODE_ISALNUM(c)


cdef inline bint is_letter(Py_UCS4 c) noexcept nogil:
    # [^\W\d_]
    if c < 128:
        return (97 <= c <= 122) or (65 <= c <= 90)
    return Py_UNICODE_ISALNUM(c) and not Py_UNICODE_ISDECIMAL(c)


cdef inline bint is_decimal(Py_UCS4 c) noexcept nogil:
    if c < 128:
        return 48 <= c <= 57
    return Py_UNICODE_ISDECIMAL(c)


cdef inline bint is_space(Py_UCS4 c) noexcept nogil:
    if c < 128:
        return c == 32 or (9 <= c <= 13) or (28 <= c <= 31)
    return Py_UNICODE_ISSPACE(c)


cdef inline bint is_cyr(Py_UCS4 c) noexcept nogil:
    return 0x400 <= c <= 0x4FF


cdef inline bint is_latin3(Py_UCS4 c) noexcept nogil:
    # [a-zA-Z3]
    return (97 <= c <= 122) or (65 <= c <= 90) or c == 51


cdef inline bint is_spacer(Py_UCS4 c) noexcept nogil:
    # [ .*\-]
    return c == 32 or c == 46 or c == 42 or c == 45


cdef inline bint is_odd(Py_UCS4 c) noexcept nogil:
    # Outside the plain set of normalize._ODD.
    if 0x20 <= c <= 0x7E or c == 10 or c == 9 or c == 13:
        return False
    if c == 0xA0 or c == 0xA3 or c == 0xA7 or c == 0xAB or c == 0xB0 or c == 0xBB:
        return False
    if 0xC0 <= c <= 0x24F or c == 0x259 or c == 0x18F or 0x400 <= c <= 0x4FF:
        return False
    if 0x2010 <= c <= 0x2027 or 0x2030 <= c <= 0x205E or 0x20A0 <= c <= 0x20CF:
        return False
    return not (0x1F000 <= c <= 0x1FAFF)


cdef inline bint is_sign(Py_UCS4 c) noexcept nogil:
    # [£$€₼%!?@]: the model's one-character tokens.
    return c == 0xA3 or c == 36 or c == 0x20AC or c == 0x20BC or c == 37 or c == 33 \
        or c == 63 or c == 64


cdef inline bint is_alnum(Py_UCS4 c) noexcept nogil:
    # [^\W_]: a word character of the full fold's pieces.
    return c != 95 and is_word(c)
