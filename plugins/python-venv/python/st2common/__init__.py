"""Rivet's stand-in for StackStorm's st2common: only what python-script actions import.

Written into each pack's virtualenv by Rivet's python-venv runner. A pack that installs the
real st2common through its requirements.txt overwrites it: the pack's dependencies win.
"""
