"""Reads of the hearings app, with the visibility rules pages, feeds and the API share."""
