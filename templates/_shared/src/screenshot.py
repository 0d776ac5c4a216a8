"""`screenshot`: a picture of the running demo page, shown in the README.

It drives a Chromium-family browser already on the machine, headless, so
nothing is downloaded: Debian's `chromium`, Google Chrome, Edge or Brave.
The picture goes to ``docs/demo.png`` (committed, beside the README) and the
README shows it between its ``demo`` markers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from .cli_helpers import build_settings, console
from .readme import replace_block

BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "brave-browser",
)
DEMO_START = "<!-- demo:start -->"
DEMO_END = "<!-- demo:end -->"
DEMO_IMAGE = Path("docs/demo.png")  # relative to the README's folder
BROWSER_SECONDS = 60


class ScreenshotError(RuntimeError):
    """Why no picture was taken, in one line."""


def find_browser(explicit: str | None = None) -> str:
    names = [explicit] if explicit else list(BROWSERS)
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    tried = explicit or ", ".join(BROWSERS)
    raise ScreenshotError(
        f"no browser found (tried {tried}): install Chromium (apt install chromium, "
        "brew install --cask chromium) or give one with --browser"
    )


def check_page(url: str) -> None:
    """The page must answer before a browser is started for it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read(1)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ScreenshotError(
            f"nothing answers at {url} ({reason}): start the service first (`serve`)"
        ) from error


def take_screenshot(
    url: str, out: Path, browser: str, width: int = 1100, height: int = 1400, wait_ms: int = 5000
) -> Path:
    """Load `url` headless, let its scripts run for `wait_ms` of page time, save a PNG."""
    if not url.startswith(("http://", "https://")):
        raise ScreenshotError(f"{url} is not an http(s) address")
    check_page(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:  # no state left in the user's browser
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            # Page time, not wall time: the page's fetches finish before the shot.
            f"--virtual-time-budget={wait_ms}",
            f"--screenshot={out.resolve()}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--no-sandbox")  # Chromium refuses to run as root otherwise
        try:
            result = subprocess.run(
                [*command, url], capture_output=True, text=True, timeout=BROWSER_SECONDS
            )
        except subprocess.TimeoutExpired as error:
            raise ScreenshotError(f"{browser} took over {BROWSER_SECONDS} s") from error
    if not out.is_file() or out.stat().st_size == 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ScreenshotError(f"{browser} wrote no picture (exit {result.returncode}): {last}")
    return out


def screenshot(
    url: Annotated[
        str | None, typer.Option(help="The demo page (default: this project's, on localhost)")
    ] = None,
    browser: Annotated[
        str | None, typer.Option(help="Browser to use (default: the first Chromium found)")
    ] = None,
    width: Annotated[int, typer.Option(min=320, max=3840)] = 1100,
    height: Annotated[int, typer.Option(min=320, max=4320)] = 1400,
) -> None:
    """Photograph the running demo page into docs/demo.png and show it in the README."""
    settings = build_settings()
    url = url or f"http://localhost:{settings.port}/"
    readme = settings.readme_path
    try:
        picture = take_screenshot(
            url, readme.parent / DEMO_IMAGE, find_browser(browser), width, height
        )
    except ScreenshotError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    shown = replace_block(
        readme, DEMO_START, DEMO_END, f"![The demo page]({DEMO_IMAGE.as_posix()})"
    )
    where = f"; {readme} shows it" if shown else f" ({readme} has no demo markers)"
    console.print(f"Wrote {picture}{where}")
