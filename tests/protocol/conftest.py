"""Protocol tests are plain pytest: no Home Assistant instance, no HA fixtures."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the integration-wide autouse fixture, which would start Home Assistant."""
