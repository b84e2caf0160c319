"""Errors a user can act on.

Every error the engine raises on purpose derives from `NnplayError`. Its message is
one sentence meant for a person: the CLI prints it as `error: <message>` with no
traceback, and the app shows it in the page. Anything else that escapes is a bug.
"""


class NnplayError(Exception):
    """A problem with the user's input, files or settings, explained in words."""


class ConfigError(NnplayError, ValueError):
    """A hyperparameter or option is out of range, unknown or malformed."""


class DataError(NnplayError):
    """A dataset file is missing, truncated or altered."""


class CheckpointError(NnplayError):
    """A checkpoint file is missing, corrupt, of another format or of another model."""


class ImageError(NnplayError):
    """An image cannot be read or holds nothing to classify."""
