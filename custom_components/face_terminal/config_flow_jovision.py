"""Config and options flow steps of Jovision devices (HTTP push, seed 004).

`config_flow.FaceTerminalConfigFlow` is the integration's one flow handler; it inherits
these steps from `JovisionConfigFlow`, so each family's steps live in a module of its own.

The "Jovision" menu path creates the single receiver entry, which owns a webhook and
shows the address to type into the devices. The address can be looked up again later:
adding a second receiver aborts with it, and the receiver's "Reconfigure" shows it (and
can issue a new one). Each device then shows up as a discovery
(`SOURCE_INTEGRATION_DISCOVERY`, started by the receiver) with its UUID as unique ID.
Devices stay config entries of their own rather than subentries of the receiver; why is
written down in `device`.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Final

import voluptuous as vol
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_NAME, UnitOfTime
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
from yarl import URL

from .const import (
    CONF_FAMILY,
    CONF_FIRMWARE,
    CONF_HOST,
    CONF_MAC,
    CONF_MODEL,
    CONF_OFFLINE_TIMEOUT,
    CONF_PERSON_NAMES,
    CONF_UUID,
    CONF_WEBHOOK_ID,
    DEFAULT_JOVISION_OFFLINE_TIMEOUT,
    DOMAIN,
    FAMILY_JOVISION,
    JOVISION_RECEIVER_UNIQUE_ID,
    MAX_OFFLINE_TIMEOUT,
)

JOVISION_RECEIVER_TITLE: Final = "Jovision receiver"
MIN_JOVISION_OFFLINE_TIMEOUT: Final = 30
CONF_NEW_ADDRESS: Final = "new_address"
_UNKNOWN: Final = "-"
_NAME_LINE: Final = re.compile(r"\s*(\d+)\s*[=:]\s*(\S.*?)\s*")


class JovisionConfigFlow(ConfigFlow):
    """Steps of the Jovision receiver and its devices (no domain: not a handler itself)."""

    _webhook_id = ""
    _jovision_device: dict[str, Any]
    _jovision_name = ""

    # --- receiver -----------------------------------------------------------------

    def _receiver_settings(self, webhook_id: str) -> dict[str, str]:
        """What to type into each device: address, host, port and path of the webhook.

        Raises `AbortFlow` when Home Assistant has no local plain-HTTP address.
        """
        try:
            base = get_url(
                self.hass,
                allow_internal=True,
                allow_external=False,
                allow_cloud=False,
                allow_ip=True,
                require_ssl=False,
                prefer_external=False,
            )
        except NoURLAvailableError as err:
            raise AbortFlow("no_internal_url") from err
        url = URL(base)
        if url.scheme != "http":
            raise AbortFlow("https_not_supported", description_placeholders={"url": base})
        path = webhook.async_generate_path(webhook_id)
        return {
            "address": f"{base.rstrip('/')}{path}",
            "host": url.host or "",
            "port": str(url.port),
            "path": path,
        }

    async def async_step_jovision(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create the receiver that Jovision devices post to, and show their settings.

        There is one receiver: asking for a second one tells where the first one's
        address is (the devices of every Jovision family member post to it).
        """
        receiver = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, JOVISION_RECEIVER_UNIQUE_ID
        )
        if receiver is not None:
            return self.async_abort(
                reason="receiver_already_configured",
                description_placeholders=self._receiver_settings(receiver.data[CONF_WEBHOOK_ID]),
            )
        await self.async_set_unique_id(JOVISION_RECEIVER_UNIQUE_ID)
        if not self._webhook_id:
            self._webhook_id = secrets.token_hex(16)
        placeholders = self._receiver_settings(self._webhook_id)
        if user_input is None:
            return self.async_show_form(step_id="jovision", description_placeholders=placeholders)
        return self.async_create_entry(
            title=JOVISION_RECEIVER_TITLE,
            data={CONF_FAMILY: FAMILY_JOVISION, CONF_WEBHOOK_ID: self._webhook_id},
            description="jovision_receiver",
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure_receiver(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the receiver's address again; optionally replace it with a new one."""
        entry = self._get_reconfigure_entry()
        placeholders = self._receiver_settings(entry.data[CONF_WEBHOOK_ID])
        if user_input is None:
            return self.async_show_form(
                step_id="reconfigure_receiver",
                data_schema=vol.Schema(
                    {vol.Required(CONF_NEW_ADDRESS, default=False): BooleanSelector()}
                ),
                description_placeholders=placeholders,
            )
        if not user_input[CONF_NEW_ADDRESS]:
            return self.async_abort(
                reason="receiver_unchanged", description_placeholders=placeholders
            )
        # A new secret path for when the old one leaked; the devices need the new one.
        webhook_id = secrets.token_hex(16)
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook_id}
        )
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_abort(
            reason="receiver_address_changed",
            description_placeholders=self._receiver_settings(webhook_id),
        )

    # --- devices ------------------------------------------------------------------

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """Start from the first message of an unknown Jovision device (sent by the receiver)."""
        uuid = str(discovery_info[CONF_UUID])
        await self.async_set_unique_id(uuid)
        host = discovery_info.get(CONF_HOST)
        self._abort_if_unique_id_configured(
            updates={CONF_HOST: host} if host else None, reload_on_update=False
        )
        self._jovision_device = {
            CONF_UUID: uuid,
            CONF_MAC: discovery_info.get(CONF_MAC),
            CONF_HOST: host,
            CONF_MODEL: discovery_info.get(CONF_MODEL),
            CONF_FIRMWARE: discovery_info.get(CONF_FIRMWARE),
        }
        self._jovision_name = discovery_info.get(CONF_NAME) or f"Jovision {uuid}"
        self.context["title_placeholders"] = {"name": self._jovision_name}
        return await self.async_step_jovision_confirm()

    async def async_step_jovision_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user confirm a Jovision device."""
        device = self._jovision_device
        name = self._jovision_name
        if user_input is not None:
            return self.async_create_entry(
                title=name, data={CONF_FAMILY: FAMILY_JOVISION, **device}
            )
        self._set_confirm_only()
        return self.async_show_form(
            step_id="jovision_confirm",
            description_placeholders={
                "name": name,
                "uuid": device[CONF_UUID],
                "mac": device[CONF_MAC] or _UNKNOWN,
                "host": device[CONF_HOST] or _UNKNOWN,
                "model": device[CONF_MODEL] or _UNKNOWN,
            },
        )


# --- options ----------------------------------------------------------------------------


JOVISION_OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(
            CONF_OFFLINE_TIMEOUT, default=DEFAULT_JOVISION_OFFLINE_TIMEOUT
        ): NumberSelector(
            NumberSelectorConfig(
                min=MIN_JOVISION_OFFLINE_TIMEOUT,
                max=MAX_OFFLINE_TIMEOUT,
                step=1,
                mode=NumberSelectorMode.BOX,
                unit_of_measurement=UnitOfTime.SECONDS,
            )
        ),
        vol.Optional(CONF_PERSON_NAMES): TextSelector(TextSelectorConfig(multiline=True)),
    }
)


def _format_names(names: dict[str, str]) -> str:
    return "\n".join(
        f"{index} = {name}" for index, name in sorted(names.items(), key=lambda item: int(item[0]))
    )


def _parse_names(text: str) -> dict[str, str] | None:
    """``12 = Alice`` lines (or ``12: Alice``) as a map; None when a line is not one."""
    names: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _NAME_LINE.fullmatch(line)
        if match is None:
            return None
        names[str(int(match.group(1)))] = match.group(2)
    return names


class JovisionOptionsFlow(OptionsFlowWithReload):
    """Options of a Jovision device; saving them reloads the entry."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Go to the Jovision options form."""
        return await self.async_step_jovision()

    async def async_step_jovision(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offline timeout and names of library pictures."""
        errors: dict[str, str] = {}
        if user_input is not None:
            names = _parse_names(user_input.get(CONF_PERSON_NAMES, ""))
            if names is None:
                errors[CONF_PERSON_NAMES] = "invalid_person_names"
            else:
                return self.async_create_entry(
                    data={
                        CONF_OFFLINE_TIMEOUT: int(user_input[CONF_OFFLINE_TIMEOUT]),
                        CONF_PERSON_NAMES: names,
                    }
                )
        options = self.config_entry.options
        suggested = user_input or {
            CONF_OFFLINE_TIMEOUT: options.get(
                CONF_OFFLINE_TIMEOUT, DEFAULT_JOVISION_OFFLINE_TIMEOUT
            ),
            CONF_PERSON_NAMES: _format_names(options.get(CONF_PERSON_NAMES, {})),
        }
        return self.async_show_form(
            step_id="jovision",
            data_schema=self.add_suggested_values_to_schema(JOVISION_OPTIONS_SCHEMA, suggested),
            errors=errors,
        )
