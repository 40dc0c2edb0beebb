"""Writes of the hearings app: hearings and comments (H1), petitions and signatures."""
