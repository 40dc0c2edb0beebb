"""Public forms of the hearings app: comments (``comments.py``) and petitions (``petitions.py``)."""
