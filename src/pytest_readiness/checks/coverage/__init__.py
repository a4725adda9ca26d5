"""The `coverage` check: measured test coverage, combined across pytest-xdist workers, gated.

Kept free of imports: `early` is imported in every pytest run and must not pull coverage.py in.
"""
