"""Shared fixtures for the Tencent IoT Explorer tests."""

from typing import Any

import pytest

# Imported before HA's test harness adds its own `custom_components` package to sys.path,
# which would otherwise shadow this repository's.
import custom_components.tencent_iot  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> None:
    """Let every test load this custom integration."""
