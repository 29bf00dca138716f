"""In-app notifications: shown in the reader's language, marked read by their owner only."""

from __future__ import annotations

from typing import Any

from service_ops import services
from service_ops.errors import N_
from tests.conftest import PASSWORD, unique


async def test_notifications_page_lists_and_marks_read(as_browser: Any, make_user: Any, system: Any) -> None:
    agent = await make_user("agent", locale="en")
    message = N_("Ticket {number} was dispatched to your outlet.")
    assert await services.notify(system, agent.user_id, message, "ticket", unique("t"), number="T-42")
    await as_browser.login(agent.username, PASSWORD)
    listed = await as_browser.client.get("/notifications")
    assert "Ticket T-42 was dispatched to your outlet." in listed.text
    import re

    ids = re.findall(r'name="id" value="(\d+)"', listed.text)
    marked = await as_browser.post_form("/notifications/read", {"id": ids[0]})
    assert marked.status_code in (302, 303)
    assert "T-42" not in (await as_browser.client.get("/notifications")).text


async def test_someone_elses_notification_cannot_be_marked(
    api_client: Any, make_user: Any, system: Any
) -> None:
    owner = await make_user("agent")
    await services.notify(system, owner.user_id, "Hello", "test", unique("n"))
    from service_ops import queries

    [row] = await queries.unread_notifications(owner.user_id)
    client = await api_client("agent")
    response = await client.post("/api/notifications/read", json={"ids": [row["id"]]})
    assert response.status_code == 404
    assert await queries.unread_notifications(owner.user_id)
