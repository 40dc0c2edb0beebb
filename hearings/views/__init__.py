"""Public views of the hearings app: hearings and comments."""
