"""The ready dashboard for one terminal, as the README shows it (core cards only).

Shared by the README (tests/e2e/test_docs.py keeps the YAML there equal to this),
the demo, the browser test and scripts/screenshots. It shows who came in (a logbook
of the access event entity: a sentence naming the person and the door per arrival), the
door button (with a confirmation), the last face, the last person (the access event
entity's `person_name`) with the temperature, and the scene camera.
"""

from __future__ import annotations

from typing import Any

# Entity keys as harness.home_assistant.HomeAssistantClient.entity_ids() returns them.
DOOR = "lock.door"
LAST_FACE = "image.last_face"
TEMPERATURE = "sensor.body_temperature"
ONLINE = "binary_sensor.online"
SCENE = "camera.scene"
ACCESS = "event.access"


def terminal_view(name: str, ids: dict[str, str]) -> dict[str, Any]:
    """One dashboard view for the terminal `name` (its entity IDs by key)."""
    return {
        "title": name,
        "path": "terminal",
        "icon": "mdi:face-recognition",
        "cards": [
            {
                "type": "picture-entity",
                "entity": ids[LAST_FACE],
                "name": "Last face",
                "show_state": False,
            },
            {
                "type": "entities",
                "title": name,
                "entities": [
                    # Who came last, from the access event entity (the last-person
                    # sensor is created disabled: it would add a logbook line).
                    {
                        "type": "attribute",
                        "entity": ids[ACCESS],
                        "attribute": "person_name",
                        "name": "Last person",
                    },
                    {"entity": ids[TEMPERATURE], "name": "Body temperature"},
                    {"entity": ids[ONLINE], "name": "Online"},
                ],
            },
            {
                "type": "button",
                "entity": ids[DOOR],
                "name": "Open the door",
                "icon": "mdi:door-open",
                "show_state": True,
                "tap_action": {
                    "action": "perform-action",
                    "perform_action": "lock.open",
                    "target": {"entity_id": ids[DOOR]},
                    "confirmation": {"text": "Open the door?"},
                },
            },
            {
                "type": "logbook",
                "title": "Who came in",
                # Each arrival's sentence names the person and the door; its bus event
                # carries the access event entity's ID, so asking for that entity brings
                # it (the card asks for entity IDs only), with the entity's own line.
                "target": {"entity_id": [ids[ACCESS]]},
                # With one entity the card hides every line's name ("auto"): show it,
                # the sentence's name is the person (or the door, for a stranger).
                "name_detail": "entity",
                "hours_to_show": 24,
            },
            {
                "type": "picture-entity",
                "entity": ids[SCENE],
                "name": "Scene",
                "camera_view": "auto",
            },
        ],
    }


def terminal_dashboard(name: str, ids: dict[str, str]) -> dict[str, Any]:
    """A whole dashboard (one view) for one terminal."""
    return {"title": name, "views": [terminal_view(name, ids)]}
