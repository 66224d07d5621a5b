"""The base class of StackStorm python-script actions, as Rivet provides it.

An action module defines one subclass of Action and implements run(**parameters). Rivet's
wrapper constructs it with the pack config and calls run() with the execution's parameters.
"""

import logging
import sys

__all__ = ["Action"]

_DATASTORE_UNSUPPORTED = "the datastore is not supported by Rivet"


class _UnsupportedActionService(object):
    """Stands in for StackStorm's datastore service: every call says it is not supported."""

    def get_value(self, *args, **kwargs):
        raise NotImplementedError(_DATASTORE_UNSUPPORTED)

    def set_value(self, *args, **kwargs):
        raise NotImplementedError(_DATASTORE_UNSUPPORTED)

    def delete_value(self, *args, **kwargs):
        raise NotImplementedError(_DATASTORE_UNSUPPORTED)

    def list_values(self, *args, **kwargs):
        raise NotImplementedError(_DATASTORE_UNSUPPORTED)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def unsupported(*args, **kwargs):
            raise NotImplementedError(_DATASTORE_UNSUPPORTED)

        return unsupported


def _action_logger(name):
    """A logger writing to stderr, so it never mixes with the action's stdout."""
    logger = logging.getLogger("rivet.action." + name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    return logger


class Action(object):
    """Base class of python-script actions (StackStorm's interface)."""

    def __init__(self, config=None, action_service=None):
        self.config = config or {}
        self.action_service = action_service or _UnsupportedActionService()
        self.logger = _action_logger(self.__class__.__name__)

    def run(self, **kwargs):
        raise NotImplementedError("an action must implement run(**parameters)")
