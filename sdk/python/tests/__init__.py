"""Tests of the Python client against real rivetd processes (see support.py)."""
