"""Constants of the Face Recognition Terminal integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from homeassistant.const import Platform

DOMAIN: Final = "face_terminal"
LOGGER = logging.getLogger(__package__)

# Every platform; a device gets those its capabilities call for (`device.device_platforms`).
PLATFORMS: Final = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.DEVICE_TRACKER,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
    Platform.UPDATE,
]

# Config entry data
CONF_TERMINAL_ID: Final = "terminal_id"
CONF_COMMAND_TOPIC: Final = "command_topic"
CONF_IP: Final = "ip"

# Options
CONF_OFFLINE_TIMEOUT: Final = "offline_timeout"
CONF_UNLOCK_MESSAGE: Final = "unlock_message"
CONF_ACKNOWLEDGE_RECORDS: Final = "acknowledge_records"
CONF_DOOR_OPEN_TIME: Final = "door_open_time"

# 2.5 heartbeats of the 60 s real firmware uses (notes Q-10).
DEFAULT_OFFLINE_TIMEOUT: Final = 150
MIN_OFFLINE_TIMEOUT: Final = 20
MAX_OFFLINE_TIMEOUT: Final = 3600
MAX_PENDING_DISCOVERIES: Final = 16
"""Discovered terminals waiting for confirmation at once: any host on the broker can claim
new terminal IDs on the presence topics, so more are refused (each is offered again with
its next presence message once the user confirmed or ignored the ones shown)."""
DEFAULT_UNLOCK_MESSAGE: Final = ""
DEFAULT_ACKNOWLEDGE_RECORDS: Final = True
DEFAULT_DOOR_OPEN_TIME: Final = 5

# Command engine
# QoS 1 for the shared subscriptions and the config flow's probe: terminals publish and
# subscribe with it. Commands go at `COMMAND_QOS`.
MQTT_QOS: Final = 1
# Except the terminal's own response subscription, at QoS 0: Home Assistant's MQTT session
# is clean, so QoS 1 adds no delivery guarantee there (resume-from-breakpoint does that),
# only a PUBACK for every record. That PUBACK goes out just before the record's PushAck,
# and Nagle's algorithm then holds the PushAck until the broker's delayed ACK (up to 40 ms
# on Linux): in door mode 3 the person waits for exactly that PushAck
# (scripts/bench_access.py: p50 23 ms at QoS 1, 3-5 ms at QoS 0).
SUBSCRIBE_QOS: Final = 0
PUSH_ACK_QOS: Final = 0
"""QoS of record acknowledgements (`PushAck`); see `CommandSender._async_publish_quietly`."""
COMMAND_QOS: Final = 0
"""QoS of the commands sent to a terminal (and its ``Online-Ack``).

The terminal's ``-Ack`` is the confirmation that counts: a lost command fails at its
deadline, like a lost answer. The broker's PUBACK to a QoS-1 command is a small segment
Home Assistant never answers, so the broker's Nagle algorithm held the terminal's answer
until Home Assistant's delayed ACK (~40 ms) on every action (scripts/bench
background-lane: call → result p50 45.8 ms at QoS 1, 4.2 ms at QoS 0). QoS 1 adds nothing
a command needs: TCP delivers it within a connection, and a command re-sent after a
reconnect could arrive after its caller gave up (an unlock, late).

Except a command as large as a photo (`LARGE_COMMAND_BYTES`): at QoS 0 the last
segment of its payload waits for the broker's delayed ACK, and meanwhile Nagle's
algorithm on Home Assistant's socket holds the next command, the door's included
(unlock behind an enrolment: p50 38.6 ms; with TCP_NODELAY on that socket 1.4 ms).
At QoS 1 the broker's PUBACK acknowledges it at once; that command's own answer may
then wait behind the PUBACK, which only enrolments and face checks pay."""
LARGE_COMMAND_BYTES: Final = 8192
"""Commands at least this large (photos) go at QoS 1; see `COMMAND_QOS`."""
# Each command's lane and answer deadline: `protocol.ROUTES`.
DELETE_BATCH_SIZE: Final = 50
"""customIds per ``DeletePersons`` (roster sync, visitor clean-up). Nothing else is sent
while one is unanswered (§4.9: about 7 s per 200), so a quarter of the maximum keeps the
door's worst wait near 2 s (measured: docs/benchmarks.md, delete-lane)."""
# V1.24 §4.1: base64 enrolments must be at least 1 s apart or the terminal stalls.
ENROL_SPACING: Final = 1.0
SCENE_CACHE_SECONDS: Final = 2.0

# The terminal's own settings (V1.24 §9) are read when it comes online and then this
# often, so a change made on its web page shows up within this time.
SETTINGS_REFRESH_INTERVAL: Final = timedelta(minutes=15)
# Upgrade-Ack only says the download is accepted; the terminal then installs and restarts.
UPGRADE_INSTALL_TIMEOUT: Final = timedelta(minutes=15)

# Records: how many (kind, record id) pairs we remember to drop re-sent duplicates.
DUPLICATE_MEMORY: Final = 2048

# A clock further off than this gets a repair issue.
CLOCK_DRIFT_LIMIT: Final = timedelta(minutes=5)

# How often one kind of malformed-payload debug line may be logged per terminal.
DROP_LOG_INTERVAL: Final = 60.0

# Bus events
EVENT_RECOGNITION: Final = f"{DOMAIN}_recognition"
EVENT_STRANGER: Final = f"{DOMAIN}_stranger"
EVENT_SCAN: Final = f"{DOMAIN}_scan"
EVENT_CAPTURE: Final = f"{DOMAIN}_capture"
"""A Jovision device captured a face (no match, no person): never a recognition."""

# Event entity types
ACCESS_GRANTED: Final = "access_granted"
ACCESS_DENIED: Final = "access_denied"
NOT_REGISTERED: Final = "not_registered"
AWAITING_REMOTE: Final = "awaiting_remote"
NO_PERMISSION: Final = "no_permission"
# A status the terminal sent that is none of the documented ones: never "granted".
ACCESS_UNKNOWN: Final = "unknown"
STRANGER: Final = "stranger"
ACCESS_EVENT_TYPES: Final = [
    ACCESS_GRANTED,
    ACCESS_DENIED,
    NOT_REGISTERED,
    AWAITING_REMOTE,
    NO_PERMISSION,
    ACCESS_UNKNOWN,
    STRANGER,
]
SCAN_QR_CODE: Final = "qr_code"
SCAN_CARD: Final = "card"
SCAN_ID_CARD: Final = "id_card"
SCAN_EVENT_TYPES: Final = [SCAN_QR_CODE, SCAN_CARD, SCAN_ID_CARD]
# The alarm event entity: an alarm push of the terminal (its codes are undocumented, so
# one type with the code as an attribute), or a record the terminal flagged with
# temperatureAlarm 1 ("the face temperature exceeds the threshold", V1.24 §5/§6).
TERMINAL_ALARM: Final = "terminal_alarm"
HIGH_TEMPERATURE: Final = "high_temperature"
ALARM_EVENT_TYPES: Final = [TERMINAL_ALARM, HIGH_TEMPERATURE]
ATTR_ALARM_CODE: Final = "alarm_code"
ATTR_DESCRIPTION: Final = "description"
ATTR_STATUS: Final = "status"
# The alarm push's bus event fields the alarm event entity shows.
ALARM_ATTRIBUTES: Final = (ATTR_ALARM_CODE, ATTR_DESCRIPTION, ATTR_STATUS)

# Event data keys
ATTR_DEVICE_ID: Final = "device_id"
ATTR_TERMINAL_ID: Final = "terminal_id"
ATTR_RECORD_ID: Final = "record_id"
ATTR_TIME: Final = "time"
ATTR_PERSON_NAME: Final = "person_name"
ATTR_CUSTOM_ID: Final = "custom_id"
ATTR_PERSON_ID: Final = "person_id"
ATTR_SIMILARITY: Final = "similarity"
ATTR_TEMPERATURE: Final = "temperature"
ATTR_DIRECTION: Final = "direction"
ATTR_BLACKLISTED: Final = "blacklisted"
ATTR_VERIFY_STATUS: Final = "verify_status"
ATTR_ACCESS: Final = "access"
ATTR_SCAN_TYPE: Final = "scan_type"
ATTR_CODE: Final = "code"
ATTR_CARD_NUMBER: Final = "card_number"
ATTR_ID_LAST4: Final = "id_last4"
ATTR_REPLAY: Final = "replay"

# --- Access decisions (door mode 3, issue 13) --------------------------------------------

CONF_ACCESS_WINDOW: Final = "access_window"
CONF_ACCESS_DEFAULT: Final = "access_default"
ACCESS_DEFAULT_DENY: Final = "deny"
ACCESS_DEFAULT_GRANT: Final = "grant"
DEFAULT_ACCESS_WINDOW: Final = 5
DEFAULT_ACCESS_DEFAULT: Final = ACCESS_DEFAULT_DENY

# People: terminal persons (customId) linked to Home Assistant persons
CONF_PERSON_LINKS: Final = "person_links"
CONF_FIRMWARE_FOLDER: Final = "firmware_folder"

# Missed-record recovery (ManualPushRecords / ManualPushSnaps after an outage)
CONF_RECOVER_RECORDS: Final = "recover_records"
DEFAULT_RECOVER_RECORDS: Final = True

EVENT_ACCESS_REQUEST: Final = f"{DOMAIN}_access_request"
EVENT_ACCESS_DECISION: Final = f"{DOMAIN}_access_decision"
ATTR_REQUEST_ID: Final = "request_id"
ATTR_GRANT: Final = "grant"
ATTR_GRANTED: Final = "granted"
ATTR_DECIDED_BY: Final = "decided_by"
ATTR_DEADLINE: Final = "deadline"
ATTR_DEFAULT: Final = "default"
ATTR_MESSAGE: Final = "message"
ATTR_PERSON_ENTITY_ID: Final = "person_entity_id"

# --- Jovision family (HTTP push, seed 004) ----------------------------------------------

CONF_FAMILY: Final = "family"
FAMILY_MQTT: Final = "mqtt"
FAMILY_JOVISION: Final = "jovision"
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_UUID: Final = "uuid"
CONF_MAC: Final = "mac"
CONF_HOST: Final = "host"
CONF_MODEL: Final = "model"
CONF_FIRMWARE: Final = "firmware"
CONF_PERSON_NAMES: Final = "person_names"

JOVISION_RECEIVER_UNIQUE_ID: Final = "jovision_receiver"
JOVISION_MANUFACTURER: Final = "Jovision"
# MQTT terminals are sold under many brands with one firmware: the device list shows this
# rather than "<unknown>"; the blueprints' terminal pickers filter on it (and the model).
MQTT_MANUFACTURER: Final = "Generic"
MQTT_MODEL: Final = "Face recognition terminal"
# Three missed heartbeats of the default 30 s interval.
DEFAULT_JOVISION_OFFLINE_TIMEOUT: Final = 90
# Largest body the receiver reads; a compare push with a 1080p scene is a few MB.
JOVISION_MAX_BODY: Final = 4 * 1024 * 1024

# Jovision event entity types (from pic_sort: 1 blacklist, 3 VIP, else recognised)
RECOGNIZED: Final = "recognized"
BLACKLISTED: Final = "blacklisted"
VIP: Final = "vip"
# A capture push: a face was seen, nobody was matched (no person identity).
FACE_CAPTURED: Final = "face_captured"
JOVISION_ACCESS_EVENT_TYPES: Final = [RECOGNIZED, BLACKLISTED, VIP, ACCESS_UNKNOWN, FACE_CAPTURED]

ATTR_FAMILY: Final = "family"
ATTR_INDEX_ID: Final = "index_id"
ATTR_LIST: Final = "list"
ATTR_CAPTURE_TIME: Final = "capture_time"
ATTR_AGE: Final = "age"
ATTR_GENDER: Final = "gender"
ATTR_MASK: Final = "mask"
ATTR_GLASSES: Final = "glasses"
ATTR_QUALITY: Final = "quality"
ATTR_TEMPERATURE_THRESHOLD: Final = "temperature_threshold"
ATTR_TEMPERATURE_WARNING: Final = "temperature_warning"
