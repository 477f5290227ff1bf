"""What an arrival costs the recorder: bytes added to its database, by table and owner.

Used by scripts/bench (latency scenario). The file size of the SQLite database moves in
pages and is shared with everything else Home Assistant writes, so this reads the rows
themselves: the rows each table gained after a point (their integer keys only grow),
each charged to whoever caused it, and sums their payload. A row's payload is the sum of
its columns as SQLite stores them: text and blobs by their length in bytes, a number as
8 bytes, NULL as nothing (SQLite's own record header and the indexes are left out, for
both sides alike).

* `states` and the `state_attributes` rows they reference: to the platform of the entity
  (`face_terminal` for the integration, `mqtt` for the YAML peer);
* `events` and the `event_data` rows they reference: to the integration when the event
  type starts with `face_terminal`, else to nobody in particular ("other").
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Each table and its integer key, in the order the report lists them.
TABLES: dict[str, str] = {
    "states": "state_id",
    "state_attributes": "attributes_id",
    "events": "event_id",
    "event_data": "data_id",
}
OTHER = "other"


@dataclass
class TableCost:
    """Rows and payload bytes one owner added to one table."""

    rows: int = 0
    size: int = 0


@dataclass
class RecorderCost:
    """What one owner added to the recorder's tables."""

    tables: dict[str, TableCost] = field(
        default_factory=lambda: {table: TableCost() for table in TABLES}
    )

    @property
    def size(self) -> int:
        """Payload bytes over every table."""
        return sum(cost.size for cost in self.tables.values())


def _connect(database: Path) -> sqlite3.Connection:
    """Read-only, next to the recorder's own connection (WAL: no lock is taken)."""
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)


def snapshot(database: Path) -> dict[str, int]:
    """The highest key of each table right now."""
    with closing(_connect(database)) as db:
        return {
            table: int(db.execute(f"SELECT coalesce(max({key}), 0) FROM {table}").fetchone()[0])
            for table, key in TABLES.items()
        }


def _payload_expression(db: sqlite3.Connection, table: str, alias: str) -> str:
    """SQL summing the stored size of every column of one row of `table`."""
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    return " + ".join(
        f"(CASE typeof({alias}.{column}) WHEN 'null' THEN 0 "
        f"WHEN 'text' THEN length(CAST({alias}.{column} AS BLOB)) "
        f"WHEN 'blob' THEN length({alias}.{column}) ELSE 8 END)"
        for column in columns
    )


def cost_since(
    database: Path, before: dict[str, int], owners: dict[str, str], event_prefix: str
) -> dict[str, RecorderCost]:
    """Rows and bytes added after `before` (a `snapshot`), by owner.

    `owners` maps entity IDs to the owner their states are charged to; events whose type
    starts with `event_prefix` are charged to `owners`' value for the key `event_prefix`.
    """
    costs: dict[str, RecorderCost] = defaultdict(RecorderCost)
    with closing(_connect(database)) as db:
        states = _payload_expression(db, "states", "s")
        attributes = _payload_expression(db, "state_attributes", "a")
        query = (
            f"SELECT m.entity_id, {states}, s.attributes_id FROM states s "
            "LEFT JOIN states_meta m ON m.metadata_id = s.metadata_id WHERE s.state_id > ?"
        )
        attribute_owner: dict[int, str] = {}
        for entity_id, size, attributes_id in db.execute(query, (before["states"],)):
            owner = owners.get(str(entity_id), OTHER)
            cost = costs[owner].tables["states"]
            cost.rows += 1
            cost.size += int(size)
            if attributes_id is not None:
                attribute_owner.setdefault(int(attributes_id), owner)
        query = (
            f"SELECT a.attributes_id, {attributes} FROM state_attributes a "
            "WHERE a.attributes_id > ?"
        )
        for attributes_id, size in db.execute(query, (before["state_attributes"],)):
            cost = costs[attribute_owner.get(int(attributes_id), OTHER)].tables["state_attributes"]
            cost.rows += 1
            cost.size += int(size)
        events = _payload_expression(db, "events", "e")
        data = _payload_expression(db, "event_data", "d")
        query = (
            f"SELECT t.event_type, {events}, e.data_id FROM events e "
            "LEFT JOIN event_types t ON t.event_type_id = e.event_type_id WHERE e.event_id > ?"
        )
        data_owner: dict[int, str] = {}
        for event_type, size, data_id in db.execute(query, (before["events"],)):
            owner = (
                owners.get(event_prefix, OTHER)
                if str(event_type).startswith(event_prefix)
                else OTHER
            )
            cost = costs[owner].tables["events"]
            cost.rows += 1
            cost.size += int(size)
            if data_id is not None:
                data_owner.setdefault(int(data_id), owner)
        query = f"SELECT d.data_id, {data} FROM event_data d WHERE d.data_id > ?"
        for data_id, size in db.execute(query, (before["event_data"],)):
            cost = costs[data_owner.get(int(data_id), OTHER)].tables["event_data"]
            cost.rows += 1
            cost.size += int(size)
    return dict(costs)


def newest_rows(database: Path, before: dict[str, int], limit: int = 3) -> list[str]:
    """The newest `shared_attrs` and `shared_data` added after `before` (for a look)."""
    with closing(_connect(database)) as db:
        attributes = db.execute(
            "SELECT shared_attrs FROM state_attributes WHERE attributes_id > ? "
            "ORDER BY attributes_id DESC LIMIT ?",
            (before["state_attributes"], limit),
        ).fetchall()
        data = db.execute(
            "SELECT shared_data FROM event_data WHERE data_id > ? ORDER BY data_id DESC LIMIT ?",
            (before["event_data"], limit),
        ).fetchall()
    return [str(row[0]) for row in [*attributes, *data]]
