"""The built-in readiness checks, one module each."""
