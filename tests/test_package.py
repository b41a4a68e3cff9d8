"""Checks of the package metadata that HA and HACS read."""

import json
from pathlib import Path
from typing import Any

from PIL import Image

from custom_components.tencent_iot.const import DOMAIN

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "hacs",
}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _keys(node: Any, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return {key for name, value in node.items() for key in _keys(value, f"{prefix}{name}.")}


def test_manifest() -> None:
    """The manifest names the domain, a version and a cloud push hub with a config flow."""
    manifest = _load(INTEGRATION / "manifest.json")
    assert manifest["domain"] == DOMAIN
    assert manifest["name"] == "Tencent IoT Explorer"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["integration_type"] == "hub"
    for key in ("version", "codeowners", "documentation", "issue_tracker", "requirements"):
        assert key in manifest, key


def test_hacs() -> None:
    """hacs.json holds only keys HACS accepts and the pinned Home Assistant version."""
    hacs = _load(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == "Tencent IoT Explorer"
    requirements = (ROOT / "requirements_test.txt").read_text(encoding="utf-8")
    assert "pytest-homeassistant-custom-component==" in requirements
    from homeassistant.const import __version__  # noqa: PLC0415

    assert hacs["homeassistant"] == __version__


def test_brand_icon() -> None:
    """The brand icon is a 256x256 PNG."""
    with Image.open(INTEGRATION / "brand" / "icon.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (256, 256)


def test_translations_complete() -> None:
    """Every translation file has exactly the keys of en.json."""
    folder = INTEGRATION / "translations"
    english = _keys(_load(folder / "en.json"))
    others = [path for path in folder.glob("*.json") if path.name != "en.json"]
    assert [path.name for path in others] == ["zh-Hans.json"]
    for path in others:
        assert _keys(_load(path)) == english, path.name
