"""The few named errors of the measurement core."""


class InputError(ValueError):
    """Bad input (contract, events, results, exclusions, arguments); the message names where and what."""
