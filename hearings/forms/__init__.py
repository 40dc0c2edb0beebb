"""Public forms of the hearings app: comments (``comments.py``)."""
