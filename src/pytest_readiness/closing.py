"""`with` for the objects that hold sockets, threads or sessions: leaving the block closes them."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self


class Closing(abc.ABC):
    """`with thing:` returns the thing and calls its `close()` on the way out, error or not."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release what the object holds: sockets, threads, sessions."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
