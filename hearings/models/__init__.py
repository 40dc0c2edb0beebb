"""Models of the hearings app: hearings and comments (``hearings.py``), petitions and
signatures (``petitions.py``)."""

from .hearings import *  # noqa: F403
from .hearings import __all__ as _hearings_all
from .petitions import *  # noqa: F403
from .petitions import __all__ as _petitions_all

__all__ = [*_hearings_all, *_petitions_all]
