"""Roster drift end to end: a roster changed behind Home Assistant's back, repaired.

A simulated terminal is synced from a roster file; then people are deleted, one is
enrolled and one renamed on the terminal itself (its own store, as its screen would).
`check_roster` raises the repair; its fix flow, through the repairs API the UI uses,
syncs again, deletes the unknown person and gives the renamed one the roster's name
back; afterwards the terminal holds exactly the roster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator import images

from .conftest import add_terminal, make_terminal

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient

    from .conftest import Stack

TERMINAL = "7305405"
ROSTER = [f"drift-{number}" for number in range(6)]


async def test_drift_repair_fix(stack: Stack, client: HomeAssistantClient) -> None:
    terminal = make_terminal(stack, TERMINAL)
    entry = await add_terminal(stack, terminal)
    try:
        folder = stack.media_dir / "drift-e2e"
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["custom_id,name,photo"]
        for custom_id in ROSTER:
            (folder / f"{custom_id}.jpg").write_bytes(images.face_jpeg(custom_id))
            lines.append(f"{custom_id},{custom_id.title()},{custom_id}.jpg")
        roster = folder / "roster.csv"
        roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
        device_id = await client.device_id(TERMINAL)
        response = await client.call_service(
            "face_terminal",
            "sync_persons",
            {"device_id": device_id, "roster_file": str(roster), "delete_missing": True},
            response=True,
        )
        [report] = response["service_response"]["results"]
        assert report["added"] == len(ROSTER), report

        def on_terminal() -> set[str]:
            return {person.custom_id for person in terminal.store if person.custom_id}

        assert on_terminal() == set(ROSTER)
        # Behind Home Assistant's back: two deleted, one enrolled on the screen.
        terminal.store.delete("drift-1")
        terminal.store.delete("drift-4")
        terminal.store.add("screen-guest", "Screen Guest", picture=images.face_jpeg("guest"))
        renamed = terminal.store.get("drift-2")
        assert renamed is not None
        renamed.name = "Somebody Else"

        response = await client.call_service(
            "face_terminal", "check_roster", {"device_id": device_id}, response=True
        )
        [checked] = response["service_response"]["results"]
        assert checked["missing"] == ["drift-1", "drift-4"]
        assert checked["unknown"] == ["screen-guest"]
        assert checked["renamed"] == ["drift-2"]
        issue_id = f"roster_drift_{entry['entry_id']}"
        issues = await client.ws({"type": "repairs/list_issues"})
        [issue] = [item for item in issues["issues"] if item["issue_id"] == issue_id]
        assert issue["translation_placeholders"]["missing"] == "2"
        assert issue["translation_placeholders"]["unknown"] == "1"
        assert issue["translation_placeholders"]["renamed"] == "1"
        assert issue["is_fixable"] is True

        flow = await client.post(
            "/api/repairs/issues/fix", {"handler": "face_terminal", "issue_id": issue_id}
        )
        assert flow["type"] == "form", flow
        assert flow["step_id"] == "confirm"
        result = await client.post(
            f"/api/repairs/issues/fix/{flow['flow_id']}", {"unknown_people": "delete"}
        )
        assert result["type"] == "create_entry", result

        assert on_terminal() == set(ROSTER)
        names = {person.custom_id: person.name for person in terminal.store if person.custom_id}
        assert names == {custom_id: custom_id.title() for custom_id in ROSTER}
        issues = await client.ws({"type": "repairs/list_issues"})
        assert issue_id not in {item["issue_id"] for item in issues["issues"]}
        response = await client.call_service(
            "face_terminal", "check_roster", {"device_id": device_id}, response=True
        )
        [checked] = response["service_response"]["results"]
        assert (checked["missing"], checked["unknown"], checked["renamed"]) == ([], [], [])
    finally:
        terminal.stop()
        await client.delete_entry(entry["entry_id"])
