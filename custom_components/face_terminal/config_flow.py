"""Config flow of the Face Recognition Terminal integration.

One config entry per terminal, with the terminal ID as unique ID. Terminals are found by
MQTT discovery (their ``Online`` on ``mqtt/face/basic`` and their ``HeartBeat`` on
``mqtt/face/heartbeat``), or added from "Add integration": the user step then listens on
both shared topics (`LISTEN_TIME`, a little more than the terminals' one-minute heartbeat
interval, with progress shown) and offers the terminals it heard, which finds terminals
that were connected before the integration was installed (discovery offers a terminal
only when it connects, until a first terminal is set up). Typing an ID stays possible:
the pick list takes one, and a menu entry leads to the form directly; that path listens
a few seconds for the terminal and lets the user add it anyway when it stays silent.

Jovision devices (HTTP push) are the second family: the user step is a menu, and the
Jovision steps and options live in `config_flow_jovision` (this flow inherits them).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, override

import voluptuous as vol
from homeassistant.components import mqtt
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    OptionsFlow,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME, UnitOfTime
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
)

from .config_flow_jovision import JovisionConfigFlow, JovisionOptionsFlow
from .const import (
    ACCESS_DEFAULT_DENY,
    ACCESS_DEFAULT_GRANT,
    CONF_ACCESS_DEFAULT,
    CONF_ACCESS_WINDOW,
    CONF_ACKNOWLEDGE_RECORDS,
    CONF_COMMAND_TOPIC,
    CONF_DOOR_OPEN_TIME,
    CONF_FIRMWARE_FOLDER,
    CONF_IP,
    CONF_OFFLINE_TIMEOUT,
    CONF_PERSON_LINKS,
    CONF_RECOVER_RECORDS,
    CONF_TERMINAL_ID,
    CONF_UNLOCK_MESSAGE,
    DEFAULT_ACCESS_DEFAULT,
    DEFAULT_ACCESS_WINDOW,
    DEFAULT_ACKNOWLEDGE_RECORDS,
    DEFAULT_DOOR_OPEN_TIME,
    DEFAULT_OFFLINE_TIMEOUT,
    DEFAULT_RECOVER_RECORDS,
    DEFAULT_UNLOCK_MESSAGE,
    DOMAIN,
    LOGGER,
    MAX_OFFLINE_TIMEOUT,
    MAX_PENDING_DISCOVERIES,
    MIN_OFFLINE_TIMEOUT,
    MQTT_QOS,
)
from .jovision import FaceTerminalAnyConfigEntry, is_jovision_entry, is_receiver_entry
from .occupancy.options import OCCUPANCY_OPTIONS, occupancy_options
from .people import format_links, parse_links
from .protocol import (
    BASIC_TOPIC,
    HEARTBEAT_TOPIC,
    Ack,
    HeartBeat,
    Online,
    ProtocolError,
    TopicKind,
    as_ip,
    build_versions,
    default_command_topic,
    normalise_terminal_id,
    parse_message,
    response_wildcard,
    topic_kind,
)
from .protocol.access import MAX_WINDOW, MIN_WINDOW
from .router import pending_discoveries

if TYPE_CHECKING:
    from homeassistant.components.mqtt import ReceiveMessage
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.service_info.mqtt import MqttServiceInfo

PROBE_TIMEOUT: Final = 5.0
"""Seconds the user step listens for the terminal before asking to add it anyway."""
LISTEN_TIME: Final = 65.0
"""Seconds "find terminals" listens: one heartbeat interval (about a minute) and a margin."""
MAX_HEARD: Final = 100
"""Terminals the pick list offers at most (the IDs come from any host on the broker)."""
CONF_PICK: Final = "terminal"

UNLOCK_MESSAGE_MAX_BYTES: Final = 63
MIN_DOOR_OPEN_TIME: Final = 1
MAX_DOOR_OPEN_TIME: Final = 60
_FORBIDDEN_ID_CHARACTERS: Final = frozenset("/#+")
_DOT: Final = "."
"""Refused in terminal IDs and command topics: RabbitMQ's MQTT plugin (a clustered broker)
turns `.` in a topic into `/`, so the terminal's subscription and acks silently break."""
_NO_IP: Final = "-"


def default_name(terminal_id: str) -> str:
    """Name of a terminal that did not tell its own."""
    return f"Face terminal {terminal_id}"


def _payload(payload: str | bytes | bytearray) -> str | bytes:
    return payload if isinstance(payload, str) else bytes(payload)


def _usable_folder(hass: HomeAssistant, folder: str) -> bool:
    """Whether `folder` is an absolute folder Home Assistant may read (executor)."""
    path = Path(folder)
    return path.is_absolute() and hass.config.is_allowed_path(folder) and path.is_dir()


def _heard_label(terminal_id: str, name: str | None, ip: str | None) -> str:
    """How the pick list shows a heard terminal: its name, ID and address."""
    label = f"{name} ({terminal_id})" if name else terminal_id
    return f"{label}, {ip}" if ip else label


def _clean_terminal_id(raw: str) -> str | None:
    """The device part of a terminal ID, or None when it cannot be one."""
    terminal_id = normalise_terminal_id(raw)
    if terminal_id is None or _FORBIDDEN_ID_CHARACTERS.intersection(terminal_id):
        return None
    return terminal_id


def _clean_command_topic(raw: str) -> str | None:
    """A command topic the integration can publish to, or None."""
    topic = raw.strip().rstrip("/")
    try:
        return str(mqtt.valid_publish_topic(topic))
    except vol.Invalid:
        return None


class FaceTerminalConfigFlow(JovisionConfigFlow, domain=DOMAIN):
    """Add a face-recognition terminal (MQTT), or the Jovision receiver and devices."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing known about the terminal."""
        self._terminal_id = ""
        self._command_topic = ""
        self._name: str | None = None
        self._ip: str | None = None
        self._user_input: dict[str, Any] = {}
        self._listen_task: asyncio.Task[None] | None = None
        self._heard: dict[str, tuple[str | None, str | None]] = {}  # ID -> (name, IP)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: FaceTerminalAnyConfigEntry) -> OptionsFlow:
        """Options of a terminal or a Jovision device."""
        if is_jovision_entry(config_entry):
            return JovisionOptionsFlow()
        return FaceTerminalOptionsFlow()

    @classmethod
    @callback
    @override
    def async_supports_options_flow(cls, config_entry: ConfigEntry[Any]) -> bool:
        """Every entry has options, except the Jovision receiver (the options gear)."""
        return not is_receiver_entry(config_entry)

    # --- discovery ----------------------------------------------------------------

    @override
    async def async_step_mqtt(self, discovery_info: MqttServiceInfo) -> ConfigFlowResult:
        """Start from a terminal's ``Online`` or ``HeartBeat``.

        MQTT discovery starts one flow per new message on the topic, for every terminal
        on the broker: everything that is not a presence message with a usable terminal
        ID ends here.
        """
        try:
            message = parse_message(discovery_info.topic, _payload(discovery_info.payload))
        except ProtocolError:
            return self.async_abort(reason="invalid_discovery_info")
        if not isinstance(message, Online | HeartBeat):
            return self.async_abort(reason="not_online")
        # The parser refuses payload IDs that cannot be terminal IDs (issue 9): what is
        # left is letters, digits and `_ . : - @`, at most 64.
        terminal_id = message.terminal_id
        if terminal_id is None:
            return self.async_abort(reason="no_terminal_id")

        await self.async_set_unique_id(terminal_id)
        # Presence messages are claims anyone on the shared topic can make: they never
        # change a configured terminal (its runtime fills in a missing IP address).
        self._abort_if_unique_id_configured()
        # Nor may they fill the discovery list without bound (issue 9): a real terminal
        # refused here is offered again with its next presence message.
        if pending_discoveries(self.hass) >= MAX_PENDING_DISCOVERIES:
            return self.async_abort(reason="too_many_discoveries")

        self._terminal_id = terminal_id
        self._command_topic = default_command_topic(terminal_id)
        self._name = message.name if isinstance(message, Online) else None
        self._ip = message.ip
        self.context["title_placeholders"] = {"name": self._title()}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user confirm a discovered terminal.

        A terminal whose ID has a dot is shown, not silently dropped, with the reason it
        cannot be added (its topics break on clustered brokers); confirming ends the flow.
        """
        if _DOT in self._terminal_id:
            if user_input is not None:
                return self.async_abort(
                    reason="terminal_id_with_dot",
                    description_placeholders={"terminal_id": self._terminal_id},
                )
            return self.async_show_form(
                step_id="discovery_confirm",
                description_placeholders=self._placeholders(),
                errors={"base": "terminal_id_with_dot"},
            )
        if user_input is not None:
            return self._async_create_terminal_entry()
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm", description_placeholders=self._placeholders()
        )

    # --- manual setup -------------------------------------------------------------

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the device family (MQTT terminals: found on the broker, or by their ID)."""
        return self.async_show_menu(
            step_id="user", menu_options=["find_terminals", "mqtt_terminal", "jovision"]
        )

    async def async_step_find_terminals(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Listen for the terminals on the broker, showing progress, then offer them."""
        if self._listen_task is None:
            if not await mqtt.async_wait_for_mqtt_client(self.hass):
                return self.async_abort(reason="mqtt_not_configured")
            if not mqtt.is_connected(self.hass):
                return self.async_abort(reason="mqtt_not_connected")
            self._heard.clear()
            self._listen_task = self.hass.async_create_task(self._async_listen_for_terminals())
        if not self._listen_task.done():
            return self.async_show_progress(
                step_id="find_terminals",
                progress_action="listening",
                progress_task=self._listen_task,
                description_placeholders={"seconds": f"{LISTEN_TIME:g}"},
            )
        self._listen_task = None
        if not self._heard:
            return self.async_show_progress_done(next_step_id="none_heard")
        return self.async_show_progress_done(next_step_id="pick_terminal")

    async def async_step_none_heard(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Nothing heard: the ID form, saying so."""
        return self._async_show_terminal_form({"base": "none_heard"})

    async def async_step_pick_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick one of the terminals heard, or type the ID of another one."""
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = _clean_terminal_id(user_input[CONF_PICK])
            if chosen is None:
                errors[CONF_PICK] = "invalid_terminal_id"
            elif _DOT in chosen:
                errors[CONF_PICK] = "terminal_id_with_dot"
            elif chosen not in self._heard:
                # Typed, not heard: the ID form, with the ID filled in (and its probe).
                self._user_input = {CONF_TERMINAL_ID: chosen}
                return await self.async_step_mqtt_terminal()
            else:
                await self.async_set_unique_id(chosen, raise_on_progress=False)
                self._abort_if_unique_id_configured()
                self._terminal_id = chosen
                self._command_topic = default_command_topic(chosen)
                self._name, self._ip = self._heard[chosen]
                return self._async_create_terminal_entry()
        options = [
            SelectOptionDict(value=terminal_id, label=_heard_label(terminal_id, name, ip))
            for terminal_id, (name, ip) in sorted(
                self._heard.items(), key=lambda item: (item[1][0] or "", item[0])
            )
        ]
        return self.async_show_form(
            step_id="pick_terminal",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_PICK): SelectSelector(
                        SelectSelectorConfig(
                            options=options, custom_value=True, mode=SelectSelectorMode.LIST
                        )
                    )
                }
            ),
            description_placeholders={"count": str(len(options)), "seconds": f"{LISTEN_TIME:g}"},
            errors=errors,
        )

    async def _async_listen_for_terminals(self) -> None:
        """Collect the terminals that send ``Online`` or ``HeartBeat`` within `LISTEN_TIME`.

        Configured (or ignored) terminals are left out; IDs with a dot are kept, so that
        picking one says why it cannot be added.
        """
        entries = self.hass.config_entries

        @callback
        def _message_received(msg: ReceiveMessage) -> None:
            try:
                message = parse_message(msg.topic, _payload(msg.payload))
            except ProtocolError:
                return
            if not isinstance(message, Online | HeartBeat) or message.terminal_id is None:
                return
            terminal_id = message.terminal_id
            if entries.async_entry_for_domain_unique_id(self.handler, terminal_id) is not None:
                return
            if terminal_id not in self._heard and len(self._heard) >= MAX_HEARD:
                return
            name, ip = self._heard.get(terminal_id, (None, None))
            if isinstance(message, Online) and message.name:
                name = message.name
            self._heard[terminal_id] = (name, message.ip or ip)

        unsubscribes: list[CALLBACK_TYPE] = []
        try:
            for topic in (BASIC_TOPIC, HEARTBEAT_TOPIC):
                unsubscribe = await mqtt.async_subscribe(
                    self.hass, topic, _message_received, qos=MQTT_QOS, encoding=None
                )
                unsubscribes.append(unsubscribe)
            steps = max(1, round(LISTEN_TIME))
            for step in range(steps):
                await asyncio.sleep(LISTEN_TIME / steps)
                self.async_update_progress((step + 1) / steps)
        finally:
            for unsubscribe in unsubscribes:
                unsubscribe()

    async def async_step_mqtt_terminal(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a terminal by its ID; listen for it before creating the entry."""
        if not await mqtt.async_wait_for_mqtt_client(self.hass):
            return self.async_abort(reason="mqtt_not_configured")
        if not mqtt.is_connected(self.hass):
            return self.async_abort(reason="mqtt_not_connected")

        errors: dict[str, str] = {}
        if user_input is not None:
            self._user_input = user_input
            terminal_id = _clean_terminal_id(user_input[CONF_TERMINAL_ID])
            raw_topic = user_input.get(CONF_COMMAND_TOPIC, "").strip()
            command_topic: str | None = None
            if terminal_id is None:
                errors[CONF_TERMINAL_ID] = "invalid_terminal_id"
            elif _DOT in terminal_id:
                errors[CONF_TERMINAL_ID] = "terminal_id_with_dot"
            else:
                command_topic = _clean_command_topic(
                    raw_topic or default_command_topic(terminal_id)
                )
                if command_topic is None:
                    errors[CONF_COMMAND_TOPIC] = "invalid_command_topic"
                elif _DOT in command_topic:
                    errors[CONF_COMMAND_TOPIC] = "command_topic_with_dot"
            if terminal_id is not None and command_topic is not None and not errors:
                await self.async_set_unique_id(terminal_id, raise_on_progress=False)
                self._abort_if_unique_id_configured()
                self._terminal_id = terminal_id
                self._command_topic = command_topic
                self._name = self._ip = None
                heard = await self._async_listen()
                if name := user_input.get(CONF_NAME, "").strip():
                    self._name = name
                if heard:
                    return self._async_create_terminal_entry()
                return await self.async_step_not_heard()

        return self._async_show_terminal_form(errors)

    def _async_show_terminal_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        """The form that adds a terminal by its ID."""
        return self.async_show_form(
            step_id="mqtt_terminal",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_TERMINAL_ID): TextSelector(),
                        vol.Optional(CONF_COMMAND_TOPIC): TextSelector(),
                        vol.Optional(CONF_NAME): TextSelector(),
                    }
                ),
                self._user_input,
            ),
            errors=errors,
        )

    async def async_step_not_heard(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Warn that the terminal was silent; add it anyway or go back to the form."""
        return self.async_show_menu(
            step_id="not_heard",
            menu_options=["add_anyway", "mqtt_terminal"],
            description_placeholders={
                "name": self._title(),
                "terminal_id": self._terminal_id,
                "seconds": f"{PROBE_TIMEOUT:g}",
                "command_topic": self._command_topic,
            },
        )

    async def async_step_add_anyway(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a terminal that was not heard."""
        return self._async_create_terminal_entry()

    async def _async_listen(self) -> bool:
        """Listen for the terminal; True when it was heard within `PROBE_TIMEOUT`.

        Presence messages from the terminal count, and so does anything on its reply
        topic: the version query sent meanwhile gets an answer from a terminal that is
        online, instead of making the user wait for the next heartbeat.
        """
        heard = asyncio.Event()
        # The runtime's own subscription to the terminal's replies (every suffix in every
        # spelling, Q-26), so the probe hears exactly what the runtime will hear.
        replies = response_wildcard(self._command_topic)

        @callback
        def _message_received(msg: ReceiveMessage) -> None:
            try:
                message = parse_message(msg.topic, _payload(msg.payload))
            except ProtocolError:
                return
            if (kind := topic_kind(msg.topic)) is not None:
                # Only an answer on the reply topic of its kind counts, as in the session.
                if kind is TopicKind.ACK and isinstance(message, Ack):
                    heard.set()
                return
            if not isinstance(message, Online | HeartBeat) or (
                message.terminal_id != self._terminal_id
            ):
                return
            if isinstance(message, Online) and message.name:
                self._name = message.name
            self._ip = message.ip or self._ip
            heard.set()

        unsubscribes: list[CALLBACK_TYPE] = []
        try:
            for topic in (BASIC_TOPIC, HEARTBEAT_TOPIC, replies):
                unsubscribe = await mqtt.async_subscribe(
                    self.hass, topic, _message_received, qos=MQTT_QOS, encoding=None
                )
                unsubscribes.append(unsubscribe)
            probe = build_versions(self._command_topic, self._terminal_id)
            topic, payload = probe.topic, probe.payload
            try:
                await mqtt.async_publish(self.hass, topic, payload, qos=MQTT_QOS, retain=False)
            except HomeAssistantError as err:
                LOGGER.debug("Could not send the version query to %s: %s", topic, err)
            async with asyncio.timeout(PROBE_TIMEOUT):
                await heard.wait()
        except TimeoutError:
            return False
        finally:
            for unsubscribe in unsubscribes:
                unsubscribe()
        return True

    # --- reconfigure --------------------------------------------------------------

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the command topic, the name and the IP address of a terminal.

        The IP address is only ever changed here (or filled in once when none is stored):
        presence messages cannot move it, see `FaceTerminal._reported_ip`. The Jovision
        receiver's reconfigure step shows its address again.
        """
        entry = self._get_reconfigure_entry()
        if is_receiver_entry(entry):
            return await self.async_step_reconfigure_receiver()
        if is_jovision_entry(entry):
            return self.async_abort(reason="reconfigure_not_supported")
        terminal_id: str = entry.data[CONF_TERMINAL_ID]
        errors: dict[str, str] = {}
        if user_input is not None:
            command_topic = _clean_command_topic(user_input[CONF_COMMAND_TOPIC])
            raw_ip = user_input.get(CONF_IP, "").strip()
            ip = as_ip(raw_ip) if raw_ip else None
            if command_topic is None:
                errors[CONF_COMMAND_TOPIC] = "invalid_command_topic"
            elif _DOT in command_topic:
                errors[CONF_COMMAND_TOPIC] = "command_topic_with_dot"
            if raw_ip and ip is None:
                errors[CONF_IP] = "invalid_ip"
            if not errors:
                name = user_input.get(CONF_NAME, "").strip() or default_name(terminal_id)
                return self.async_update_reload_and_abort(
                    entry,
                    title=name,
                    data_updates={CONF_COMMAND_TOPIC: command_topic, CONF_NAME: name, CONF_IP: ip},
                )

        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_COMMAND_TOPIC): TextSelector(),
                        vol.Optional(CONF_NAME): TextSelector(),
                        vol.Optional(CONF_IP): TextSelector(),
                    }
                ),
                user_input or {**entry.data, CONF_NAME: entry.title},
            ),
            description_placeholders={"terminal_id": terminal_id},
            errors=errors,
        )

    # --- helpers ------------------------------------------------------------------

    def _title(self) -> str:
        return self._name or default_name(self._terminal_id)

    def _placeholders(self) -> dict[str, str]:
        return {
            "name": self._title(),
            "terminal_id": self._terminal_id,
            "ip": self._ip or _NO_IP,
        }

    def _async_create_terminal_entry(self) -> ConfigFlowResult:
        title = self._title()
        return self.async_create_entry(
            title=title,
            data={
                CONF_TERMINAL_ID: self._terminal_id,
                CONF_COMMAND_TOPIC: self._command_topic,
                CONF_NAME: title,
                CONF_IP: self._ip,
            },
        )


OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_OFFLINE_TIMEOUT, default=DEFAULT_OFFLINE_TIMEOUT): NumberSelector(
            NumberSelectorConfig(
                min=MIN_OFFLINE_TIMEOUT,
                max=MAX_OFFLINE_TIMEOUT,
                step=1,
                mode=NumberSelectorMode.BOX,
                unit_of_measurement=UnitOfTime.SECONDS,
            )
        ),
        vol.Optional(CONF_UNLOCK_MESSAGE): TextSelector(),
        vol.Required(CONF_DOOR_OPEN_TIME, default=DEFAULT_DOOR_OPEN_TIME): NumberSelector(
            NumberSelectorConfig(
                min=MIN_DOOR_OPEN_TIME,
                max=MAX_DOOR_OPEN_TIME,
                step=1,
                mode=NumberSelectorMode.BOX,
                unit_of_measurement=UnitOfTime.SECONDS,
            )
        ),
        vol.Required(
            CONF_ACKNOWLEDGE_RECORDS, default=DEFAULT_ACKNOWLEDGE_RECORDS
        ): BooleanSelector(),
        vol.Required(CONF_RECOVER_RECORDS, default=DEFAULT_RECOVER_RECORDS): BooleanSelector(),
        vol.Required(CONF_ACCESS_WINDOW, default=DEFAULT_ACCESS_WINDOW): NumberSelector(
            NumberSelectorConfig(
                min=MIN_WINDOW,
                max=MAX_WINDOW,
                step=1,
                mode=NumberSelectorMode.BOX,
                unit_of_measurement=UnitOfTime.SECONDS,
            )
        ),
        vol.Required(CONF_ACCESS_DEFAULT, default=DEFAULT_ACCESS_DEFAULT): SelectSelector(
            SelectSelectorConfig(
                options=[ACCESS_DEFAULT_DENY, ACCESS_DEFAULT_GRANT],
                translation_key=CONF_ACCESS_DEFAULT,
            )
        ),
        vol.Optional(CONF_PERSON_LINKS): TextSelector(TextSelectorConfig(multiline=True)),
        vol.Optional(CONF_FIRMWARE_FOLDER): TextSelector(),
        **OCCUPANCY_OPTIONS,
    }
)


class FaceTerminalOptionsFlow(OptionsFlowWithReload):
    """Options of a terminal; saving them reloads the entry."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and check the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            message = user_input.get(CONF_UNLOCK_MESSAGE, DEFAULT_UNLOCK_MESSAGE).strip()
            links = parse_links(user_input.get(CONF_PERSON_LINKS, ""))
            folder = user_input.get(CONF_FIRMWARE_FOLDER, "").strip()
            if folder and not await self.hass.async_add_executor_job(
                _usable_folder, self.hass, folder
            ):
                errors[CONF_FIRMWARE_FOLDER] = "firmware_folder_invalid"
            elif links is None:
                errors[CONF_PERSON_LINKS] = "invalid_person_links"
            elif any(ord(char) < 0x20 for char in message):
                errors[CONF_UNLOCK_MESSAGE] = "unlock_message_invalid"
            elif len(message.encode()) > UNLOCK_MESSAGE_MAX_BYTES:
                errors[CONF_UNLOCK_MESSAGE] = "unlock_message_too_long"
            else:
                return self.async_create_entry(
                    data={
                        CONF_OFFLINE_TIMEOUT: int(user_input[CONF_OFFLINE_TIMEOUT]),
                        CONF_UNLOCK_MESSAGE: message,
                        CONF_DOOR_OPEN_TIME: int(user_input[CONF_DOOR_OPEN_TIME]),
                        CONF_ACKNOWLEDGE_RECORDS: bool(user_input[CONF_ACKNOWLEDGE_RECORDS]),
                        CONF_RECOVER_RECORDS: bool(user_input[CONF_RECOVER_RECORDS]),
                        CONF_ACCESS_WINDOW: int(user_input[CONF_ACCESS_WINDOW]),
                        CONF_ACCESS_DEFAULT: user_input[CONF_ACCESS_DEFAULT],
                        CONF_PERSON_LINKS: links,
                        CONF_FIRMWARE_FOLDER: folder,
                        **occupancy_options(user_input),
                    }
                )

        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA,
                user_input
                or {
                    **self.config_entry.options,
                    CONF_PERSON_LINKS: format_links(
                        self.config_entry.options.get(CONF_PERSON_LINKS)
                    ),
                },
            ),
            errors=errors,
        )
