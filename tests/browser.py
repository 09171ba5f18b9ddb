"""Headless Chromium with the network off, driven over the DevTools protocol, for the tests of
pages and slides that must work offline (tests/test_pipeline_render.py).

Chromium is Debian's ``chromium`` (or ``$COLLABCOMM_CHROMIUM``). The browser runs

* in a new network namespace (``unshare --net``: no interface but a loopback that is down)
  when the machine allows it (root, or user namespaces), and in any case
* with every request sent to a proxy that does not exist (``--proxy-server=127.0.0.1:9``) and
  every host name unresolvable (``--host-resolver-rules``),

so a page that tries to load anything from the internet gets nothing. The test does not rely
on that alone: :func:`open_page` records every request the page makes (the protocol's
``Network.requestWillBeSent``) and every failed load, script exception and console error, so a
test can assert that no request left the machine and nothing failed.

The protocol is spoken over a pipe (``--remote-debugging-pipe``: messages are JSON terminated by
a NUL byte, written to the browser's fd 3 and read from its fd 4), so no port is opened and no
extra package is needed.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium() -> str | None:
    """Path of the Chromium binary, or None when there is none."""
    env = os.environ.get("COLLABCOMM_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


#: Marks a test that drives Chromium: skipped, saying how to get one, where there is none.
needs_chromium = pytest.mark.skipif(
    chromium() is None, reason="no Chromium found: install Debian's chromium (apt-get install "
                               "chromium) or set COLLABCOMM_CHROMIUM to a Chromium binary")


def _above_nine(fd: int) -> int:
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


def _network_namespace_works() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "--net", "true"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass
class PageLog:
    """What happened while a page was open."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    isolated: bool = False  # True when the browser ran in its own network namespace

    def remote_requests(self) -> list[str]:
        """Every request whose URL is not a local file, data, blob or about: URL."""
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


class Browser:
    """One headless Chromium, one tab. Use as a context manager."""

    def __init__(self, binary: str, *, width: int = 1280, height: int = 800,
                 timeout: float = 60.0) -> None:
        self.binary, self.width, self.height, self.timeout = binary, width, height, timeout
        self._next = 0
        self._messages: queue.Queue = queue.Queue()
        self.events: list[dict] = []
        self.isolated = _network_namespace_works()

    # --- process and pipe ---------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self._profile = tempfile.mkdtemp(prefix="collabcomm-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the browser's ends move to fds 3 and 4 in the child; first lift them above 9 so that
        # the shell's redirections cannot overwrite one with the other
        to_browser_r, from_browser_w = (_above_nine(to_browser_r), _above_nine(from_browser_w))
        args = [self.binary, *FLAGS, f"--user-data-dir={self._profile}",
                f"--window-size={self.width},{self.height}", "about:blank"]
        shell = (f"exec {shlex.join(args)} 3<&{to_browser_r} 4>&{from_browser_w} "
                 f"{to_browser_r}<&- {from_browser_w}>&-")
        cmd = (["unshare", "--net"] if self.isolated else []) + ["bash", "-c", shell]
        self.proc = subprocess.Popen(cmd, pass_fds=(to_browser_r, from_browser_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)
        self.call("Network.setCacheDisabled", {"cacheDisabled": True}, session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False}, session=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except Exception:  # the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._messages.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self._messages.put(json.loads(raw))

    def call(self, method: str, params: dict | None = None, *, session: bool | str = False,
             timeout: float | None = None) -> dict:
        """Send one protocol command and return its result (events seen meanwhile are kept).

        ``session``: False for the browser, True for the tab, or another session's id."""
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session if session is True else session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._get(deadline, f"no reply to {method}")
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _get(self, deadline: float, what: str) -> dict:
        try:
            reply = self._messages.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"chromium: {what} within {self.timeout:.0f} s") from None
        if reply is None:
            err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
            raise RuntimeError(f"chromium exited: {what}\n{err}")
        return reply

    # --- page ---------------------------------------------------------------------------------
    def evaluate(self, expression: str):
        """Evaluate a JavaScript expression in the page and return its (JSON) value."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0, interval: float = 0.1) -> bool:
        """Poll ``expression`` until it is truthy; False if it never is within ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(expression):
                    return True
            except RuntimeError:  # e.g. the page's context was replaced by a navigation
                pass
            time.sleep(interval)
        return False

    def open(self, url: str) -> None:
        """Navigate to ``url`` and wait for its load event (loaded afresh, even when only the
        fragment differs from the current page's). The request log (:meth:`log`) starts afresh
        too, so it holds only what this page asked for."""
        self.events.clear()
        self.call("Page.navigate", {"url": "about:blank"}, session=True)
        # wait until the blank page has replaced the previous one: a page with a
        # 'beforeunload' listener (the website's theme keeps its sidebar position so) makes
        # that asynchronous, and a second navigation sent meanwhile may never be answered
        if not self.wait_for("location.href === 'about:blank' && document.readyState === "
                             "'complete'", timeout=self.timeout):
            raise TimeoutError(f"chromium: about:blank did not load within {self.timeout:.0f} s")
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        page = json.dumps(url.split("#")[0])
        if not self.wait_for(f"document.readyState === 'complete' && "
                             f"location.href.split('#')[0] === {page}", timeout=self.timeout):
            raise TimeoutError(f"chromium: {url} did not load within {self.timeout:.0f} s")

    def resize(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Give the tab another viewport (``mobile``: a phone's, honouring the page's
        ``<meta name="viewport">``); the next :meth:`open` lays the page out in it."""
        self.width, self.height = width, height
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
                  session=True)

    def press(self, key: str) -> None:
        """Press and release a letter key in the tab (e.g. ``"s"`` for reveal.js's notes)."""
        code = {"key": key, "code": f"Key{key.upper()}", "windowsVirtualKeyCode": ord(key.upper())}
        self.call("Input.dispatchKeyEvent", {"type": "keyDown", "text": key, **code}, session=True)
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", **code}, session=True)

    def other_pages(self) -> dict[str, str]:
        """Text of every other open page (a popup such as reveal.js's speaker view), by id."""
        out = {}
        for t in self.call("Target.getTargets")["targetInfos"]:
            if t["type"] != "page" or t["targetId"] == self.target:
                continue
            sid = self.call("Target.attachToTarget",
                            {"targetId": t["targetId"], "flatten": True})["sessionId"]
            try:
                r = self.call("Runtime.evaluate", {"expression": "document.body ? "
                              "document.body.innerText : ''", "returnByValue": True},
                              session=sid, timeout=10)
                out[t["targetId"]] = r.get("result", {}).get("value") or ""
            finally:
                self.call("Target.detachFromTarget", {"sessionId": sid})
        return out

    def screenshot(self, path: str | os.PathLike) -> Path:
        """Save a PNG of the visible page."""
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def log(self) -> PageLog:
        """Requests, failed loads and errors seen so far."""
        out = PageLog(isolated=self.isolated)
        urls: dict[str, str] = {}
        for ev in self.events:
            method, p = ev.get("method"), ev.get("params", {})
            if method == "Network.requestWillBeSent":
                urls[p.get("requestId")] = p["request"]["url"]
                out.requests.append(p["request"]["url"])
            elif method == "Network.loadingFailed":
                url = urls.get(p.get("requestId"), "?")
                out.failed.append(f"{url[:200]}: {p.get('errorText')}")
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.errors.append(d.get("exception", {}).get("description") or d.get("text", ""))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                out.errors.append(f"{e.get('text')} {e.get('url', '')}".strip())
            elif method == "Runtime.consoleAPICalled" and p.get("type") == "error":
                out.errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                           for a in p.get("args", [])))
        return out
