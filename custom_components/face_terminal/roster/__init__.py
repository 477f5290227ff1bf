"""People at scale: rosters, and bringing terminals in line with them (``sync_persons``).

Reading a roster:

* `entries` - one checked person per row (`RosterEntry`), per-person problems;
* `files` - CSV and YAML files and inline entries into entries (`load_roster`).

Syncing (the decisions are pure, in `protocol.roster`: the plan, the outcomes per person
and the `BatchTracker` that watches a running batch):

* `sync` - one terminal's sync (`TerminalSync`) and all of them at once;
* `commands` - the commands to one terminal; sends, waits and sleeps as told;
* `photos` - photos prepared once for every terminal, and served to them;
* `report` - the outcome per person and the counts of one terminal's sync;
* `progress` - a terminal's sync as the UI shows it;
* `state` - what is kept between syncs: progress, busy terminals, fingerprints;
* `links` - the ``ha_person`` column merged into each terminal's person links.

Home Assistant's side: `services` (the ``sync_persons`` and ``delete_all_persons``
actions) and `sensor` (the "Roster sync" sensor, added by the sensor platform).
"""
