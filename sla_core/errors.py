"""The few named errors of the measurement core."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input (contract, events, results, exclusions, arguments); the message names where and what.

    ``field`` is the name of the offending field when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
