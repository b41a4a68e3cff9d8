"""Fixtures of the benchmark: HA's test harness without its debugging aids."""

import asyncio
import logging
from typing import Any

import pytest

# Imported before HA's test harness adds its own `custom_components` package to sys.path,
# which would otherwise shadow this repository's.
import custom_components.tencent_iot  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> None:
    """Let the benchmark load this custom integration."""


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Run the loop without asyncio's debug mode, which the harness turns on for tests.

    Debug mode records a traceback for every handle and checks every callback's duration:
    several times slower, and nothing a real Home Assistant does.
    """
    asyncio.get_running_loop().set_debug(False)


@pytest.fixture(autouse=True)
def production_log_level() -> None:
    """Log at WARNING, Home Assistant's default: not thousands of "Registered new entity"."""
    logging.getLogger().setLevel(logging.WARNING)
