"""Errors that carry a message meant for the user: what went wrong and how to fix it."""


class McubenchError(Exception):
    """Any error mcubench reports as a clean message (never a traceback)."""


class ConfigError(McubenchError):
    """Unknown component, unknown config key, or a value of the wrong type."""


class ModelError(McubenchError):
    """A model file that cannot be read, or uses something the backend does not support."""


class MissingDependency(McubenchError):
    """A tool or package a component needs is not installed."""


class StageError(McubenchError):
    """A stage failed; the message becomes the run's Reason."""
