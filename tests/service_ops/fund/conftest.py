"""Fixtures of the fund tests."""

from __future__ import annotations

from typing import Any

import pytest

from service_ops import outlet_directory
from service_ops.actor import Actor


@pytest.fixture
async def finance(make_user: Any) -> Actor:
    made: Actor = await make_user("finance")
    return made


class FakeOutlet:
    def __init__(self, outlet_id: int) -> None:
        self.id, self.code, self.name, self.is_active = (
            outlet_id,
            f"OT{outlet_id:03d}",
            f"网点{outlet_id}",
            True,
        )


@pytest.fixture(autouse=True)
def known_outlets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fund tests name outlets 5, 11 and 12 without building a network: a directory that knows them."""

    async def directory() -> list[FakeOutlet]:
        return [FakeOutlet(outlet_id) for outlet_id in range(1, 50)]

    monkeypatch.setattr(outlet_directory, "_outlet_directories", [directory])
