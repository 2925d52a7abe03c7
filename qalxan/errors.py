"""Public home of the exception tree; see :mod:`qalxan.domain.errors` for the drawing."""

from qalxan.domain.errors import *  # noqa: F403
from qalxan.domain.errors import __all__ as __all__
