"""Layouts, placements and routes: which blocks a path shows, and where."""
