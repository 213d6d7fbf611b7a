"""The one exception of the expression language, raised by every module of it."""

from __future__ import annotations


class ExpressionError(ValueError):
    """A malformed expression, or one that cannot be evaluated."""

    def __init__(self, message: str, position: int | None = None) -> None:
        if position is not None:
            message = f"{message} at character {position + 1}"
        super().__init__(message)
        self.position = position
