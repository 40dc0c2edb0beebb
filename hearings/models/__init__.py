"""Models of the hearings app: hearings, agenda items and comments (``hearings.py``)."""

from .hearings import *  # noqa: F403
from .hearings import __all__ as _hearings_all

__all__ = [*_hearings_all]
