"""Writes of the hearings app: hearings and comments."""
