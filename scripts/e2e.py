"""Browser test: add the integration through Home Assistant's UI and switch a light.

Run it with `scripts/e2e`, which installs Debian's chromium and Selenium (outside .venv) first.
It starts the simulator and a fresh Home Assistant (temporary config directory, free ports, so a
running `scripts/develop` is not disturbed), onboarded with the demo user but without the
integration. Then, in headless Chromium: log in, Settings -> Devices & services -> Add
integration -> "Tencent IoT Explorer", fill every step of the config flow against the simulator,
finish it; switch the Study Ceiling Light on from its tile card and off again from its more-info
dialog; play the Living Room Speaker and mute it from its more-info dialog; set the
Living Room Bulb to 31 % and pick a colour in its dialog, which must keep 31 %. Each change is
checked through the simulator's admin API.
Screenshots of every step go to e2e-screenshots/; `--docs` also refreshes docs/*.png.
Exit status 0 when everything passed.
"""

import argparse
import asyncio
from collections.abc import Callable, Coroutine
import contextlib
from dataclasses import dataclass
import json
from pathlib import Path
import shutil
import sys
import tempfile
import time
from typing import Any
import urllib.request

import aiohttp
from demo import DEMO_USER, ROOT, Demo, DemoError, HomeAssistantApi, Settings, free_port, step
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
VIEWPORT = (1280, 800)
LIGHT_ID = "K2B7QX9RDL/ceiling_5e21"  # 书房吸顶灯 Study Ceiling Light, off in the default home
LIGHT_NAME = "Study Ceiling Light"
LIGHT_AREA = "书房 Study"
LIVING_ROOM = "客厅 Living Room"
SPEAKER_ID = "SPK4N7W2QX/spk_d83bbf10"  # 客厅音箱 Living Room Speaker, paused at volume 35
SPEAKER_NAME = "Living Room Speaker"
BULB_ID = "3JQ8VX2K1M/bulb_7c87ce1a"  # 客厅彩灯 Living Room Bulb, white at 80 %
BULB_NAME = "Living Room Bulb"
FAMILY_LABEL = "My Home"
ENTRY_TITLE = "小明 Xiaoming · 我的家 My Home"

# Queries that pierce shadow roots. "a >>> b" finds b anywhere under (and in the shadow trees
# of) each a. A text filter matches an element's rendered text plus its shadow root's text.
JS_LIBRARY = r"""
const deepAll = (selector, root) => {
  const found = [];
  const walk = (node) => {
    node.querySelectorAll(selector).forEach((element) => found.push(element));
    node.querySelectorAll('*').forEach((element) => {
      if (element.shadowRoot) walk(element.shadowRoot);
    });
  };
  walk(root);
  return found;
};
const query = (selector, root) => {
  let roots = [root || document];
  for (const part of selector.split(' >>> ')) {
    const next = [];
    for (const node of roots) {
      if (node.shadowRoot) next.push(...deepAll(part, node.shadowRoot));
      next.push(...deepAll(part, node));
    }
    roots = [...new Set(next)];
  }
  return roots;
};
const textOf = (element) =>
  (element.innerText || '') + ' ' + (element.shadowRoot ? element.shadowRoot.textContent : '');
const visible = (element) => {
  const box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
};
// Whether outer contains inner, across shadow roots.
const encloses = (outer, inner) => {
  for (let node = inner.parentNode || inner.host; node; node = node.parentNode || node.host) {
    if (node === outer) return true;
  }
  return false;
};
// The matches that contain no other match: the element showing a text, not its ancestors.
const innermost = (elements) =>
  elements.filter((element) => !elements.some((other) => encloses(element, other)));
"""


class E2EError(Exception):
    """A check failed; the message says which."""


@dataclass(frozen=True, slots=True)
class Shots:
    """Where screenshots go."""

    folder: Path
    docs: Path | None = None


class Browser:
    """Headless Chromium driven through Selenium, with shadow-DOM-piercing helpers."""

    def __init__(self, base_url: str, shots: Shots, profile: Path) -> None:
        """Start Chromium with a fresh profile."""
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
            "--lang=en-US",
        ):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.set_viewport(*VIEWPORT)
        self.base_url = base_url
        self.shots = shots
        self.count = 0

    def set_viewport(self, width: int, height: int) -> None:
        """Make the page exactly width x height CSS pixels."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def close(self) -> None:
        """Quit Chromium."""
        with contextlib.suppress(WebDriverException):
            self.driver.quit()

    # Finding things

    def query(self, selector: str, text: str | None = None) -> list[WebElement]:
        """Visible elements matching selector; with text, the innermost ones showing it."""
        script = (
            JS_LIBRARY
            + """
            const [selector, text] = arguments;
            const found = query(selector).filter(visible);
            return text === null
              ? found
              : innermost(found.filter((element) => textOf(element).includes(text)));
            """
        )
        found: list[WebElement] = self.driver.execute_script(script, selector, text)
        return found

    def js_element(self, script: str, *args: Any) -> WebElement | None:
        """Run a script that returns an element or null."""
        result = self.driver.execute_script(script, *args)
        return result if isinstance(result, WebElement) else None

    def wait_until[T](self, probe: Callable[[], T | None], what: str, timeout: float = 30) -> T:
        """Poll probe until it returns something other than None/False."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(StaleElementReferenceException):
                if result := probe():
                    return result
            if time.monotonic() > deadline:
                raise E2EError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.25)

    def wait_for(self, selector: str, text: str | None = None, timeout: float = 30) -> WebElement:
        """The first visible element matching selector (and text), once there is one."""
        what = f"{selector!r}" + (f" showing {text!r}" if text else "")
        return self.wait_until(lambda: next(iter(self.query(selector, text)), None), what, timeout)

    def by_label(self, selector: str, label: str, timeout: float = 30) -> WebElement:
        """The first visible element matching selector whose label property is label."""
        script = (
            JS_LIBRARY
            + """
            const [selector, label] = arguments;
            return query(selector).find((e) => visible(e) && e.label === label) || null;
            """
        )
        return self.wait_until(
            lambda: self.js_element(script, selector, label), f"{selector} {label!r}", timeout
        )

    def wait_gone(self, selector: str, timeout: float = 30) -> None:
        """Until nothing visible matches selector."""
        self.wait_until(lambda: not self.query(selector), f"{selector!r} to close", timeout)

    # Acting

    def click(self, element: WebElement) -> None:
        """Click like a user: where the element is, whatever is on top of it there."""
        try:
            element.click()
        except ElementClickInterceptedException, ElementNotInteractableException:
            ActionChains(self.driver).move_to_element(element).click().perform()

    def click_on(self, selector: str, text: str | None = None, timeout: float = 30) -> None:
        """Wait for an element, then click it."""
        self.click(self.wait_for(selector, text, timeout))

    def type_into(self, element: WebElement, value: str) -> None:
        """Replace the content of an input, key by key."""
        element.click()
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.BACKSPACE)
        element.send_keys(value)

    def goto_path(self) -> str:
        """The path of the current page."""
        url: str = self.driver.current_url
        return url.removeprefix(self.base_url)

    # Screenshots

    def shot(self, name: str) -> Path:
        """Save a numbered screenshot of the whole page."""
        self.count += 1
        path = self.shots.folder / f"{self.count:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        print(f"    screenshot {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return path

    def doc_shot(self, name: str, element: WebElement | None = None) -> None:
        """With --docs: a small PNG of the page (or of one element) for the README."""
        if self.shots.docs is None:
            return
        self.shots.docs.mkdir(parents=True, exist_ok=True)
        path = self.shots.docs / f"{name}.png"
        # No hover highlight from the last click; dialogs and cards finish animating in.
        self.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 0, "y": 0}
        )
        time.sleep(0.8)
        if element is None:
            self.driver.save_screenshot(str(path))
        else:
            element.screenshot(str(path))
        shrink_png(path)
        print(f"    docs screenshot {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")

    def console(self) -> list[dict[str, Any]]:
        """Browser console messages so far."""
        with contextlib.suppress(WebDriverException):
            log: list[dict[str, Any]] = self.driver.get_log("browser")  # type: ignore[no-untyped-call]
            return log
        return []


def shrink_png(path: Path) -> None:
    """Palette PNG: screenshots of a flat UI lose nothing visible and shrink several times."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


class ConfigFlow:
    """The data-entry-flow dialog of HA's frontend, driven field by field."""

    DIALOG = "dialog-data-entry-flow"

    def __init__(self, browser: Browser) -> None:
        """Drive the dialog open in browser."""
        self.browser = browser

    def field(self, name: str, timeout: float = 30) -> WebElement:
        """The form element of a schema field (ha-form-* or ha-selector), once shown."""
        script = (
            JS_LIBRARY
            + """
            const [dialog, name] = arguments;
            return query(dialog + ' >>> ha-form >>> *').find(
              (element) =>
                visible(element) &&
                ((element.schema && element.schema.name === name) ||
                  (element.tagName === 'HA-SELECTOR' && element.name === name))
            ) || null;
            """
        )
        return self.browser.wait_until(
            lambda: self.browser.js_element(script, self.DIALOG, name),
            f"config flow field {name!r}",
            timeout,
        )

    def input_of(self, name: str) -> WebElement:
        """The <input> of a text field."""
        field = self.field(name)
        script = JS_LIBRARY + "return query('input', arguments[0]).find(visible) || null;"
        return self.browser.wait_until(
            lambda: self.browser.js_element(script, field), f"input of {name!r}"
        )

    def fill(self, name: str, value: str) -> None:
        """Type value into a text field."""
        self.browser.type_into(self.input_of(name), value)

    def value(self, name: str) -> str:
        """The current value of a text field."""
        return str(self.input_of(name).get_property("value"))

    def choose(self, name: str, *, value: str | None = None, label: str | None = None) -> None:
        """Pick a radio option of a select field, by value or by label."""
        field = self.field(name)
        script = (
            JS_LIBRARY
            + """
            const [field, value, label] = arguments;
            return query('ha-radio-option', field).find(
              (option) =>
                (value === null || option.value === value) &&
                (label === null || textOf(option).includes(label))
            ) || null;
            """
        )
        option = self.browser.wait_until(
            lambda: self.browser.js_element(script, field, value, label),
            f"option {value or label!r} of {name!r}",
        )
        self.browser.click(option)
        self.browser.wait_until(
            lambda: option.get_attribute("aria-checked") == "true", f"{name!r} to be chosen", 10
        )

    def errors(self) -> str:
        """Error messages shown in the form, if any."""
        alerts = self.browser.query(f"{self.DIALOG} >>> ha-alert")
        return " / ".join(alert.text.strip() for alert in alerts if alert.text.strip())

    def submit(self, next_field: str | None) -> None:
        """Press Submit, then wait for the next step's field (or for the end of the flow)."""
        self.browser.click_on(f"{self.DIALOG} >>> ha-button", "Submit")
        if next_field is None:
            return
        try:
            self.field(next_field, timeout=30)
        except E2EError as err:
            raise E2EError(f"{err}; the form shows: {self.errors() or 'no error'}") from err


@dataclass(slots=True)
class Scenario:
    """What the browser test needs to know and reach."""

    browser: Browser
    demo: Demo
    loop: asyncio.AbstractEventLoop

    @property
    def sim_url(self) -> str:
        """The simulator's base URL."""
        return self.demo.settings.sim_url

    def sim_get(self, path: str) -> Any:
        """GET a simulator admin endpoint."""
        url = f"{self.sim_url}/_sim/{path}"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http://127.0.0.1
            return json.load(response)

    def light_power(self) -> int:
        """power_switch of the light as the simulated cloud holds it."""
        state = self.sim_get(f"device?device_id={LIGHT_ID}")
        return int(state["Data"]["power_switch"])

    def wait_power(self, expected: int, since: int) -> dict[str, Any]:
        """Until the cloud holds power_switch == expected and a control recorded it."""
        return self.wait_control(LIGHT_ID, {"power_switch": expected}, since)

    def wait_control(self, device_id: str, expected: dict[str, Any], since: int) -> dict[str, Any]:
        """Until the cloud holds these values of a device and a control since `since` sent them."""

        def probe() -> dict[str, Any] | None:
            data = self.sim_get(f"device?device_id={device_id}")["Data"]
            if any(data.get(key) != value for key, value in expected.items()):
                return None
            controls = self.sim_get("controls")[since:]
            return next(
                (
                    control
                    for control in controls
                    if control["DeviceId"] == device_id
                    and expected.items() <= control["Data"].items()
                ),
                None,
            )

        return self.browser.wait_until(
            probe, f"the simulator to receive {expected} for {device_id}", 20
        )

    def ha[T](self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the demo's event loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    async def entry_summary(self) -> tuple[list[dict[str, Any]], int, int]:
        """The integration's entries, devices and entities, through HA's API."""
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, self.demo.settings.ha_url)
            await api.login(DEMO_USER)
            entries = await api.entries()
            devices, entities = await api.integration_summary()
        return entries, devices, entities

    # The steps

    def run(self) -> None:
        """Everything, in order."""
        self.log_in()
        self.open_devices_and_services()
        self.add_integration()
        self.check_entry()
        self.switch_light()
        self.play_speaker()
        self.pick_colour()
        if self.browser.shots.docs is not None:
            self.docs_tour()

    def log_in(self) -> None:
        """Log in on HA's login page."""
        step("browser: logging in")
        browser = self.browser
        browser.driver.get(browser.base_url + "/")
        browser.type_into(browser.wait_for("input[name=username]"), DEMO_USER.username)
        browser.type_into(browser.wait_for("input[name=password]"), DEMO_USER.password)
        browser.shot("login")
        browser.click_on("ha-button", "Log in")
        browser.wait_for("ha-sidebar", timeout=60)

    def open_devices_and_services(self) -> None:
        """Settings -> Devices & services, through the sidebar."""
        step("browser: Settings -> Devices & services")
        browser = self.browser
        browser.click_on("ha-sidebar >>> #sidebar-config")
        browser.wait_until(lambda: browser.goto_path().startswith("/config"), "the settings page")
        browser.click_on("ha-list-item-button", "Devices & services")
        browser.wait_until(
            lambda: browser.goto_path().startswith("/config/integrations"), "Devices & services"
        )
        browser.wait_for("ha-button", "Add integration")
        browser.shot("devices-and-services")

    def add_integration(self) -> None:
        """Add integration -> Tencent IoT Explorer, and fill every step."""
        browser = self.browser
        info = self.demo.sim_info
        account = info["accounts"][0]
        step("browser: Add integration -> Tencent IoT Explorer")
        browser.click_on("ha-button", "Add integration")
        search = browser.wait_for("dialog-add-integration >>> input")
        search.send_keys("Tencent")
        item = browser.wait_for("ha-integration-list-item", "Tencent IoT Explorer")
        browser.shot("add-integration-search")
        browser.click(item)

        flow = ConfigFlow(browser)
        step("browser: step 1, region and app keys")
        flow.field("app_key")
        browser.doc_shot(
            "config-flow-user", browser.wait_for("dialog-data-entry-flow >>> wa-dialog >>> dialog")
        )
        flow.choose("region", value="custom")
        flow.fill("app_key", info["app_key"])
        flow.fill("app_secret", info["app_secret"])
        browser.shot("step-user")
        flow.submit("api_url")

        step("browser: step 2, custom endpoints")
        flow.fill("api_url", info["api_url"])
        flow.fill("ws_url", info["ws_url"])
        browser.shot("step-endpoint")
        flow.submit("account")

        step("browser: step 3, sign in")
        flow.choose("account_type", value="phone")
        if flow.value("country_code") != account["CountryCode"]:
            flow.fill("country_code", account["CountryCode"])
        flow.fill("account", account["PhoneNumber"])
        flow.fill("password", account["Password"])
        browser.shot("step-login")
        browser.doc_shot(
            "config-flow-login", browser.wait_for("dialog-data-entry-flow >>> wa-dialog >>> dialog")
        )
        flow.submit("family_id")

        step("browser: step 4, choose the home")
        flow.choose("family_id", label=FAMILY_LABEL)
        browser.shot("step-family")
        flow.submit(None)

        step("browser: finishing the flow")
        finish = browser.wait_for(f"{ConfigFlow.DIALOG} >>> ha-button", "Finish", timeout=60)
        browser.shot("created")
        browser.click(finish)
        browser.wait_gone(ConfigFlow.DIALOG)

    def check_entry(self) -> None:
        """The entry exists, is loaded and has devices; its card shows on the dashboard."""
        deadline = time.monotonic() + 60
        while True:
            entries, devices, entities = self.ha(self.entry_summary())
            if len(entries) != 1 or entries[0]["title"] != ENTRY_TITLE:
                raise E2EError(f"expected one entry {ENTRY_TITLE!r}, HA has {entries}")
            entry = entries[0]
            if entry["state"] not in ("not_loaded", "setup_in_progress"):
                break
            if time.monotonic() > deadline:
                raise E2EError("the entry was not set up within 60 s")
            time.sleep(0.5)
        if entry["state"] != "loaded":
            raise E2EError(f"the entry is {entry['state']}, not loaded")
        if devices == 0 or entities == 0:
            raise E2EError(f"the entry has {devices} devices and {entities} entities")
        step(f"entry {entry['title']!r} loaded: {devices} devices, {entities} entities")
        browser = self.browser
        page = "/config/integrations/integration/tencent_iot"
        # Finishing the flow opens the integration's page; older frontends stay on the
        # dashboard, where the new card leads there.
        time.sleep(1)
        if page not in browser.goto_path():
            browser.click_on("ha-integration-card", "Tencent IoT Explorer")
        browser.wait_until(lambda: page in browser.goto_path(), "the integration's page")
        browser.wait_for("*", ENTRY_TITLE)
        time.sleep(1)  # let the device counts render
        browser.shot("integration-page")
        browser.doc_shot("integration-page")

    def switch_light(self) -> None:
        """On from the tile card, off from the more-info dialog; the simulator must see both."""
        browser = self.browser
        if self.light_power() != 0:
            raise E2EError(f"{LIGHT_ID} should start off in the default home")
        step(f"browser: Overview -> {LIGHT_AREA} -> {LIGHT_NAME} tile")
        browser.click_on("ha-sidebar >>> #sidebar-panel-home")
        browser.click_on("*", LIGHT_AREA)
        tile = browser.wait_for("hui-tile-card", LIGHT_NAME)
        browser.shot("area-light-off")

        since = len(self.sim_get("controls"))
        browser.click(browser.wait_for("hui-tile-card >>> ha-tile-icon"))
        control = self.wait_power(1, since)
        step(f"simulator: {control['DeviceId']} got {control['Data']} (source {control['Source']})")
        browser.wait_until(lambda: "Off" not in tile.text, "the tile to show the light on")
        browser.shot("light-on-from-card")

        step("browser: more-info dialog -> toggle off")
        browser.click(browser.wait_for("hui-tile-card >>> ha-tile-info"))
        toggle = browser.wait_for("more-info-light >>> ha-icon-button-group >>> ha-icon-button")
        browser.shot("more-info-on")
        since = len(self.sim_get("controls"))
        browser.click(toggle)
        control = self.wait_power(0, since)
        step(f"simulator: {control['DeviceId']} got {control['Data']} (source {control['Source']})")
        browser.wait_for("ha-more-info-dialog >>> ha-more-info-state-header", "Off")
        browser.shot("light-off-from-dialog")
        browser.driver.find_element("tag name", "body").send_keys(Keys.ESCAPE)
        browser.wait_gone("ha-more-info-dialog >>> more-info-light")

    def open_more_info(self, area: str, name: str) -> None:
        """Overview -> the area -> the tile's name: the entity's more-info dialog."""
        browser = self.browser
        browser.click_on("ha-sidebar >>> #sidebar-panel-home")
        browser.click_on("*", area)
        tile = browser.wait_for("hui-tile-card", name)
        browser.click(browser.wait_until(lambda: self.tile_info(tile), f"the {name} tile"))

    def tile_info(self, tile: WebElement) -> WebElement | None:
        """The name and state part of a tile card (it opens the more-info dialog)."""
        script = JS_LIBRARY + "return query('ha-tile-info', arguments[0]).find(visible) || null;"
        return self.browser.js_element(script, tile)

    def close_more_info(self, content: str) -> None:
        """Escape, until the dialog's content is gone."""
        self.browser.driver.find_element("tag name", "body").send_keys(Keys.ESCAPE)
        self.browser.wait_gone(f"ha-more-info-dialog >>> {content}")

    def play_speaker(self) -> None:
        """Play and mute from the speaker's more-info dialog; the simulator must see both."""
        browser = self.browser
        step(f"browser: Overview -> {LIVING_ROOM} -> {SPEAKER_NAME} more-info dialog")
        self.open_more_info(LIVING_ROOM, SPEAKER_NAME)
        player = "ha-more-info-dialog >>> more-info-media_player"
        play = browser.wait_for(f"{player} >>> ha-button.center-control")
        browser.wait_for(f"{player} >>> *", "晴天")
        browser.shot("speaker-paused")
        since = len(self.sim_get("controls"))
        browser.click(play)
        control = self.wait_control(SPEAKER_ID, {"play_state": 1}, since)
        step(f"simulator: {control['DeviceId']} got {control['Data']} (source {control['Source']})")
        # Playing: the middle button pauses now.
        browser.wait_for(f"{player} >>> ha-button.center-control [aria-label=Pause]")

        since = len(self.sim_get("controls"))
        browser.click(browser.by_label(f"{player} >>> ha-icon-button", "Volume mute"))
        control = self.wait_control(SPEAKER_ID, {"volume": 0}, since)
        step(f"simulator: {control['DeviceId']} got {control['Data']} (source {control['Source']})")
        browser.shot("speaker-playing")
        self.close_more_info("more-info-media_player")

    def pick_colour(self) -> None:
        """A colour picked at 31 % keeps 31 %: in the dialog, and in the colour's value."""
        browser = self.browser
        step(f"{BULB_NAME} to 31 % (through HA's API)")
        self.ha(self.call_service("light", "turn_on", BULB_ID, brightness_pct=31))
        self.wait_control(BULB_ID, {"brightness": 31}, 0)
        step(f"browser: {BULB_NAME} more-info dialog -> a colour")
        self.open_more_info(LIVING_ROOM, BULB_NAME)
        header = "ha-more-info-dialog >>> ha-more-info-state-header"
        browser.wait_for(header, "31")
        script = (
            JS_LIBRARY
            + """
            return query('ha-more-info-light-favorite-colors >>> ha-favorite-color-button')
              .find((b) => visible(b) && b.color && (b.color.hs_color || b.color.rgb_color))
              || null;
            """
        )
        colour = browser.wait_until(lambda: browser.js_element(script), "a colour preset")
        browser.shot("bulb-at-31")
        since = len(self.sim_get("controls"))
        browser.click(colour)
        control = self.wait_control(BULB_ID, {"color_mode": 1, "value": 31}, since)
        step(f"simulator: {control['DeviceId']} got {control['Data']} (source {control['Source']})")
        browser.wait_until(
            lambda: "31" in (browser.query(header) or [None])[0].text,  # type: ignore[union-attr]
            "the dialog to show 31 % in colour",
        )
        browser.shot("bulb-colour-at-31")
        self.close_more_info("more-info-light")

    async def call_service(self, domain: str, service: str, device_id: str, **data: Any) -> None:
        """Call a service for the entity of a cloud device, through HA's WebSocket API."""
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, self.demo.settings.ha_url)
            await api.login(DEMO_USER)
            entities = await api.ws_command({"type": "config/entity_registry/list"})
            entity_id = next(
                e["entity_id"]
                for e in entities
                if e["platform"] == "tencent_iot" and e["unique_id"] == f"{device_id}/{domain}"
            )
            await api.ws_command(
                {
                    "type": "call_service",
                    "domain": domain,
                    "service": service,
                    "service_data": data,
                    "target": {"entity_id": entity_id},
                }
            )

    async def device_id(self, name: str) -> str:
        """HA's id of the device called name."""
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, self.demo.settings.ha_url)
            await api.login(DEMO_USER)
            devices = await api.ws_command({"type": "config/device_registry/list"})
        return str(next(device["id"] for device in devices if device["name"] == name))

    def docs_tour(self) -> None:
        """The README's other pictures: an area, a device page, the options."""
        step("browser: screenshots for docs/")
        browser = self.browser
        base = browser.base_url
        browser.set_viewport(1280, 900)
        browser.driver.get(f"{base}/home/areas-ke_ting_living_room")
        browser.wait_for("hui-tile-card", "Living Room AC")
        browser.doc_shot("area-living-room")

        device = self.ha(self.device_id("客厅空调 Living Room AC"))
        browser.driver.get(f"{base}/config/devices/device/{device}")
        browser.wait_for("*", "Living Room AC")
        browser.doc_shot("device-page")

        browser.set_viewport(*VIEWPORT)
        browser.driver.get(f"{base}/config/integrations/integration/tencent_iot")
        browser.click(browser.by_label("ha-icon-button", "Configure"))
        # The options open on their menu: the settings, customising a product.
        browser.wait_for(f"{ConfigFlow.DIALOG} >>> *", "Customise a product")
        browser.doc_shot(
            "options", browser.wait_for(f"{ConfigFlow.DIALOG} >>> wa-dialog >>> dialog")
        )


def run_browser(demo: Demo, loop: asyncio.AbstractEventLoop, shots: Shots, profile: Path) -> None:
    """The browser part, in a worker thread (Selenium blocks)."""
    browser = Browser(demo.settings.ha_url, shots, profile)
    try:
        Scenario(browser, demo, loop).run()
    except Exception:
        with contextlib.suppress(WebDriverException):
            browser.shot("failure")
            print(f"    page: {browser.driver.current_url}")
        raise
    finally:
        console = browser.console()
        (shots.folder / "browser-console.log").write_text(
            "\n".join(f"{entry['level']} {entry['message']}" for entry in console) + "\n",
            encoding="utf-8",
        )
        browser.close()


async def run(args: argparse.Namespace) -> int:
    """Start the demo in a temporary directory, run the browser part, stop."""
    shots = Shots(args.screenshots, ROOT / "docs" if args.docs else None)
    shots.folder.mkdir(parents=True, exist_ok=True)
    for old in shots.folder.glob("*.png"):
        old.unlink()
    temp = Path(tempfile.mkdtemp(prefix="tencent_iot_e2e_"))
    settings = Settings(
        state_dir=temp, port=free_port(), sim_port=free_port(), add_integration=False
    )
    ok = False
    try:
        async with Demo(settings) as demo:
            loop = asyncio.get_running_loop()
            await asyncio.to_thread(run_browser, demo, loop, shots, temp / "chromium-profile")
            ok = True
    except (DemoError, E2EError) as err:
        print(f"scripts/e2e: FAILED: {err}", file=sys.stderr)
    except Exception as err:
        print(f"scripts/e2e: FAILED: {type(err).__name__}: {err}", file=sys.stderr)
        raise
    finally:
        if ok and not args.keep:
            shutil.rmtree(temp, ignore_errors=True)
        else:
            print(f"HA config, logs and browser profile kept in {temp}")
    print(f"screenshots: {shots.folder}")
    if ok:
        print("scripts/e2e: PASSED")
    return 0 if ok else 1


def main() -> int:
    """Entry point of scripts/e2e."""
    parser = argparse.ArgumentParser(prog="scripts/e2e", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--screenshots",
        type=Path,
        default=ROOT / "e2e-screenshots",
        help="folder for the screenshots (default e2e-screenshots/)",
    )
    parser.add_argument("--docs", action="store_true", help="also refresh docs/*.png")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary HA config directory"
    )
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
