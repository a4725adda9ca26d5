"""The inventory: item names and quantities, safe to use from several request threads."""

from __future__ import annotations

import threading


class InvalidItem(ValueError):
    """An item without a name or with a negative or non-integer quantity."""


class Inventory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, int] = {}

    def add(self, name: object, quantity: object) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidItem("an item needs a non-empty name")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise InvalidItem("quantity must be a whole number >= 0")
        with self._lock:
            self._items[name] = self._items.get(name, 0) + quantity

    def quantity(self, name: str) -> int | None:
        with self._lock:
            return self._items.get(name)

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(self._items)
