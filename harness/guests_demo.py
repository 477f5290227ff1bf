"""The guests part of the demo and of the README's screenshots.

A guest pass that Home Assistant issues for a terminal, and the blueprint that turns a
stranger at the door into a visitor, set up as a user would: through the
``face_terminal`` actions and the automation editor's API.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .home_assistant import HomeAssistantClient

VISITOR_AUTOMATION = "stranger_to_visitor"


def tonight(hour: int = 20) -> str:
    """Today at `hour` (Home Assistant's time zone is the machine's), ISO formatted."""
    now = datetime.now().astimezone()
    evening = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if evening <= now + timedelta(hours=1):
        evening += timedelta(days=1)
    return evening.isoformat(timespec="seconds")


def pass_request(device_id: str, label: str, uses: int = 2) -> dict[str, Any]:
    """The data of a ``create_guest_pass`` for one terminal, valid until tonight."""
    return {"device_id": device_id, "label": label, "valid_until": tonight(), "uses": uses}


async def issue_pass(
    client: HomeAssistantClient, device_id: str, label: str, uses: int = 2
) -> dict[str, Any]:
    """Create a guest pass; its response (code, picture address, pass ID)."""
    answer = await client.call_service(
        "face_terminal", "create_guest_pass", pass_request(device_id, label, uses), response=True
    )
    return dict(answer["service_response"])


async def add_visitor_automation(client: HomeAssistantClient, device_id: str) -> None:
    """The "stranger at the door, answered from the phone" blueprint for one terminal.

    The demo has no phone: the notification goes to the notification panel, and the
    answer can be given as a ``mobile_app_notification_action`` event (Developer tools).
    """
    await client.post(
        f"/api/config/automation/config/{VISITOR_AUTOMATION}",
        {
            "alias": "Front door: a stranger becomes a visitor",
            "use_blueprint": {
                "path": "face_terminal/stranger_to_visitor.yaml",
                "input": {
                    "terminal": device_id,
                    "notify_action": "notify.persistent_notification",
                },
            },
        },
    )
