"""Rivet's stand-in for st2common.runners: see st2common.runners.base_action."""
