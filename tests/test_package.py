"""Checks of the package metadata that HA and HACS read."""

import importlib
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.util.yaml import load_yaml_dict
from PIL import Image

from custom_components.tencent_iot import PLATFORMS
from custom_components.tencent_iot.const import DOMAIN

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN
README = ROOT / "README.md"
# Screenshots are palette PNGs of a few dozen KiB; a full-colour one would be several times that.
MAX_SCREENSHOT_BYTES = 150_000
# Each needs a line in the README's list of languages.
OTHER_LANGUAGES = ("zh-Hans", "zh-Hant", "ja", "ko", "de", "fr", "es")
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
    # HACS shows README.md itself, so the user documentation lives there.
    assert hacs["render_readme"] is True
    requirements = (ROOT / "requirements_test.txt").read_text(encoding="utf-8")
    assert "pytest-homeassistant-custom-component==" in requirements
    from homeassistant.const import __version__  # noqa: PLC0415

    assert hacs["homeassistant"] == __version__


def test_license() -> None:
    """The license HACS's repository check asks for is the one pyproject.toml names."""
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in pyproject


def test_brand_icon() -> None:
    """The brand icon is a 256x256 PNG."""
    with Image.open(INTEGRATION / "brand" / "icon.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (256, 256)


def test_translations_complete() -> None:
    """Every language of the README has a translation file with exactly the keys of en.json."""
    folder = INTEGRATION / "translations"
    english = _keys(_load(folder / "en.json"))
    others = sorted(path.name for path in folder.glob("*.json") if path.name != "en.json")
    assert others == [f"{language}.json" for language in sorted(OTHER_LANGUAGES)]
    for name in others:
        assert _keys(_load(folder / name)) == english, name


def test_readme_lists_the_languages() -> None:
    """The README's table of languages has a row for every translation file."""
    text = README.read_text(encoding="utf-8")
    for path in (INTEGRATION / "translations").glob("*.json"):
        assert f"| `{path.stem}` |" in text, path.name


def test_readme_images() -> None:
    """The README shows every screenshot in docs/, each a small PNG, with links HACS can follow.

    HACS rewrites relative Markdown links to the repository's raw files; raw HTML images and
    absolute paths would not be rewritten.
    """
    text = README.read_text(encoding="utf-8")
    assert "<img" not in text
    shown = set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text))
    assert shown
    assert all(link.startswith("docs/") for link in shown), shown
    assert shown == {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.png")}
    for link in shown:
        path = ROOT / link
        with Image.open(path) as image:
            assert image.format == "PNG", link
        assert path.stat().st_size < MAX_SCREENSHOT_BYTES, link


def test_readme_documents_services() -> None:
    """Every action of services.yaml and each of its fields is in the README."""
    text = README.read_text(encoding="utf-8")
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    assert services
    for service, spec in services.items():
        assert f"tencent_iot.{service}" in text, service
        for field in spec.get("fields", {}):
            assert f"`{field}`" in text, f"{service}.{field}"


def test_readme_documents_the_forms() -> None:
    """Every step of the config flow, its fields and the options appear under their UI names."""
    text = README.read_text(encoding="utf-8")
    strings = _load(INTEGRATION / "translations" / "en.json")
    for step_id, step in strings["config"]["step"].items():
        assert step["title"] in text, step_id
        for label in step.get("data", {}).values():
            assert label in text, f"{step_id}: {label}"
    for step_id, step in strings["options"]["step"].items():
        for label in (*step.get("data", {}).values(), *step.get("menu_options", {}).values()):
            assert label in text, f"{step_id}: {label}"
    for label in strings["selector"]["region"]["options"].values():
        assert label in text, label


def test_every_platform_limits_its_parallel_updates() -> None:
    """Each platform says how many updates it runs at once; those that write, one."""
    read_only = {"binary_sensor", "event", "sensor"}
    # An install lasts until the device reports back: one at a time would queue the others.
    long_running = {"update"}
    for platform in PLATFORMS:
        module = importlib.import_module(f"custom_components.tencent_iot.{platform}")
        parallel = module.PARALLEL_UPDATES
        assert parallel == (0 if platform in read_only | long_running else 1), platform
