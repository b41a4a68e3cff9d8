"""Prepare a Home Assistant configuration directory for scripts/develop, before HA starts.

Usage: python scripts/ha_prepare.py CONFIG_DIR --port PORT --packages DIR [--host 127.0.0.1]

1. Where HA listens. HA keeps its HTTP settings in `.storage/http`; an `http:` YAML section is
   migrated once, as a "pending" trial that reverts and restarts HA after five minutes unless
   confirmed in the UI. This writes the confirmed ("stable") settings directly: host and port,
   the rest as HA's own schema defaults it (or as stored before).

2. The Python packages HA's built-in integrations import, installed into DIR, not .venv.
   `.venv` holds `homeassistant` and the test requirements only, yet a running HA imports more:
   the frontend's service list imports `assist_satellite` (hassil, pymicro-vad...), `camera`
   (PyTurboJPEG), `tts` (mutagen)... HA would pip-install them into `.venv` at start-up,
   changing the environment the test suite runs in (it even downgrades packages to its pins).
   So scripts/develop runs HA with `--skip-pip` and `PYTHONPATH=DIR`, DIR holding the
   requirements of every integration HA will load (its default integrations, those in
   configuration.yaml, those with a config entry, those onboarding sets up, and their
   dependencies), with the versions in `.venv` as constraints for shared dependencies. A pinned
   requirement that cannot be built here (a C extension without a wheel for this Python) gets
   the newest version with a wheel. What cannot be installed is reported and tried again on the
   next run.
"""

import argparse
from collections.abc import Iterable
from datetime import UTC, datetime
import hashlib
import importlib.metadata
import json
from pathlib import Path
import re
import subprocess
import sys
import tempfile
from typing import Any

from homeassistant import bootstrap
import homeassistant.components
from homeassistant.components.http import config as http_config
from homeassistant.const import BASE_PLATFORMS, __version__ as ha_version
from homeassistant.util.yaml import Secrets, load_yaml_dict

COMPONENTS = Path(homeassistant.components.__file__).parent
ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".venv" / "bin" / "uv"
# Set up by the onboarding's core-config step.
ONBOARDING = {"met", "google_translate", "radio_browser", "shopping_list"}
ALWAYS = {"homeassistant", "persistent_notification", "logger", "network", "system_log", "recorder"}


def configured_domains(config_dir: Path) -> set[str]:
    """Top-level integrations of configuration.yaml ("light mine" counts as "light")."""
    config = load_yaml_dict(config_dir / "configuration.yaml", Secrets(config_dir))
    return {str(key).split(" ")[0] for key in config}


def entry_domains(config_dir: Path) -> set[str]:
    """Integrations with a config entry (added in the UI)."""
    path = config_dir / ".storage" / "core.config_entries"
    if not path.exists():
        return set()
    stored = json.loads(path.read_text(encoding="utf-8"))
    return {str(entry["domain"]) for entry in stored.get("data", {}).get("entries", [])}


def manifest(domain: str, custom: Path) -> dict[str, object] | None:
    """The manifest of a built-in or custom integration."""
    for folder in (COMPONENTS / domain, custom / domain):
        if (path := folder / "manifest.json").exists():
            data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
            return data
    return None


def requirements(domains: Iterable[str], custom: Path) -> set[str]:
    """Requirements of the domains and of everything they depend on."""
    seen: set[str] = set()
    found: set[str] = set()
    todo = list(domains)
    while todo:
        domain = todo.pop()
        if domain in seen or (data := manifest(domain, custom)) is None:
            continue
        seen.add(domain)
        found.update(str(item) for item in data.get("requirements", []))  # type: ignore[attr-defined]
        for key in ("dependencies", "after_dependencies"):
            todo.extend(str(item) for item in data.get(key, []))  # type: ignore[attr-defined]
    return found


def _name(requirement: str) -> str:
    return re.split(r"[=<>~!\[; ]", requirement, maxsplit=1)[0]


def satisfied(requirement: str) -> bool:
    """Whether .venv already has the requirement (at the pinned version, when pinned)."""
    try:
        version = importlib.metadata.version(_name(requirement))
    except importlib.metadata.PackageNotFoundError:
        return False
    return "==" not in requirement or version == requirement.split("==", 1)[1].strip()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def install(target: Path, wanted: list[str]) -> list[str]:
    """Install into target; returns the requirements that could not be installed."""
    requested = {_normal(_name(item)) for item in wanted}
    pins = [
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"] and _normal(dist.metadata["Name"]) not in requested
    ]
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
        base = [str(UV), "pip", "install", "--quiet", "--python", sys.executable]
        base += ["--target", str(target), "--constraint", str(constraints)]

        def uv(*args: str) -> bool:
            result = subprocess.run([*base, *args], check=False, capture_output=True, text=True)
            return result.returncode == 0

        if uv(*wanted):
            return []
        failed = []
        for requirement in wanted:
            if uv(requirement):
                continue
            # Typically a pinned C extension without a wheel for this Python, whose build
            # needs headers that are not there: take the newest version that has a wheel.
            if "==" in requirement and uv("--only-binary", ":all:", _name(requirement)):
                print(f"  {requirement}: cannot be built here, installed the newest wheel instead")
                continue
            failed.append(requirement)
        return failed


def write_http_store(config_dir: Path, host: str, port: int) -> None:
    """Make host:port HA's confirmed HTTP settings, keeping any other stored setting."""
    path = config_dir / ".storage" / http_config.STORAGE_KEY
    stable: dict[str, Any] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        stable = dict(stored.get("data", {}).get(http_config.KEY_STABLE) or {})
    settings = {key: value for key, value in stable.items() if key not in http_config._META_KEYS}
    settings.update({"server_host": [host], "server_port": port})
    validated = http_config.HTTP_STORAGE_SCHEMA(settings)
    meta = {
        http_config.HTTP_CONFIG_CREATED_AT: stable.get(http_config.HTTP_CONFIG_CREATED_AT)
        or datetime.now(UTC).isoformat(),
        http_config.HTTP_CONFIG_ERROR: None,
        http_config.HTTP_CONFIG_ERROR_MESSAGE: None,
    }
    store = {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": {
            http_config.KEY_STABLE: {**validated, **meta},
            http_config.KEY_PENDING: None,
            http_config.KEY_YAML_MIGRATION_DONE: True,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(store, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)


def install_packages(target: Path, config_dir: Path) -> None:
    """Install what is missing unless the same set was installed before."""
    domains = (
        set(bootstrap.DEFAULT_INTEGRATIONS)
        | set(BASE_PLATFORMS)
        | ALWAYS
        | ONBOARDING
        | configured_domains(config_dir)
        | entry_domains(config_dir)
    )
    custom = config_dir / "custom_components"
    if custom.is_dir():
        domains |= {path.name for path in custom.iterdir() if (path / "manifest.json").exists()}
    wanted = sorted(item for item in requirements(domains, custom) if not satisfied(item))
    digest = hashlib.sha256(f"{ha_version}\n{'\n'.join(wanted)}".encode()).hexdigest()
    stamp = target / ".installed.sha256"
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == digest:
        return
    target.mkdir(parents=True, exist_ok=True)
    if wanted:
        print(
            f"==> installing {len(wanted)} packages Home Assistant's own integrations need into "
            f"{target} (not .venv): {', '.join(wanted)}",
            flush=True,
        )
        if failed := install(target, wanted):
            print(f"  could not install: {', '.join(failed)} (their integrations will not load)")
            return
    stamp.write_text(digest + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    """Write the HTTP settings and install the packages."""
    parser = argparse.ArgumentParser(prog="scripts/ha_prepare.py")
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--packages", type=Path, required=True)
    args = parser.parse_args(argv)
    config = configured_domains(args.config_dir)
    if "http" in config:
        print(
            f"note: {args.config_dir / 'configuration.yaml'} has an http: section; this Home "
            "Assistant ignores it (a repair issue says so): host and port live in .storage/http"
        )
    write_http_store(args.config_dir, args.host, args.port)
    install_packages(args.packages, args.config_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
