"""Exception types whose messages name the config key or file at fault."""


class AlbenchError(Exception):
    """Base class of every error albench raises on purpose."""


class ConfigError(AlbenchError, ValueError):
    """The benchmark config is invalid; the message names the offending key."""


class DataError(AlbenchError, ValueError):
    """A data set cannot be used; the message names the data set and the problem."""
