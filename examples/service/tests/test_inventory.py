import pytest
from example_service.inventory import InvalidItem, Inventory


def test_add_accumulates_quantities() -> None:
    inventory = Inventory()
    inventory.add("bolt", 3)
    inventory.add("bolt", 2)
    assert inventory.quantity("bolt") == 5


@pytest.mark.parametrize(("name", "quantity"), [("", 1), ("bolt", -1), ("bolt", 1.5), (None, 1)])
def test_rejects_invalid_items(name: object, quantity: object) -> None:
    with pytest.raises(InvalidItem):
        Inventory().add(name, quantity)


def test_unknown_item_has_no_quantity() -> None:
    assert Inventory().quantity("nut") is None
