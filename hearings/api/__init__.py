"""Public API of the hearings app: hearings, agenda items and comments."""
