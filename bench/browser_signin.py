"""Benchmark: a browser sign-in with a live IdP session, headless, default mode vs Playwright mode.

Against the sandbox IdP (SimpleSAMLphp). Each mode first signs in once to hold
an IdP session in its own profile: the default mode in a window in a private
Xvfb display with the keystrokes typed by xdotool (no driver), the Playwright
mode by auto-fill. Then ROUNDS sign-ins per mode, interleaved, each with no
terminal (headless, session reused). Reported per mode, medians:

* launch -> capture: from calling the provider to the SAMLResponse arriving
  (the capture proxy's clock in the default mode; the driver's request event
  for the AWS sign-in POST in the Playwright mode);
* whole call: until the provider returns (the browser closed, no process left).

The ratio default/Playwright is printed; the target is <= 1.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sandbox_env import ROOT, sandbox

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))

from tests.e2e.browser_support import SSP_LOGIN_TITLE, type_credentials, wait_for_window  # noqa: E402

ROUNDS = 10


def start_display():
    import subprocess

    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise SystemExit("Xvfb did not start")
    return proc, ":" + number


def main() -> None:
    from samlcreds.idp.base import LoginRequest
    from samlcreds.idp.browser import BrowserProvider
    from samlcreds.saml import read_saml_response

    xvfb, display = start_display()
    try:
        with sandbox() as (idp, _sts, env), tempfile.TemporaryDirectory(prefix="samlcreds-bench-") as tmp:
            os.environ.update(DISPLAY=display)
            native_dir, driven_dir = Path(tmp) / "native", Path(tmp) / "playwright"

            # One sign-in each to hold an IdP session.
            typist = threading.Thread(target=lambda: type_credentials(
                display, wait_for_window(display, SSP_LOGIN_TITLE), "bob", "bob-pw"), daemon=True)
            typist.start()
            BrowserProvider().fetch_saml_response(
                LoginRequest(url=idp.sso_url, state_dir=native_dir, interactive=True, timeout=60))
            typist.join(5)
            BrowserProvider().fetch_saml_response(LoginRequest(
                url=idp.sso_url, username="bob", state_dir=driven_dir, interactive=False, timeout=60,
                autofill=True, get_password=lambda prompt: "bob-pw"))
            logins = idp.login_count("bob")

            times = {"default": ([], []), "playwright": ([], [])}
            for _ in range(ROUNDS):
                for mode in ("default", "playwright"):
                    captured: list[float] = []
                    if mode == "default":
                        proxies = []
                        provider = BrowserProvider(on_proxy=proxies.append)
                        request = LoginRequest(url=idp.sso_url, state_dir=native_dir, interactive=False, timeout=60)
                    else:
                        proxies = None
                        provider = BrowserProvider(on_request=lambda url: captured.append(time.monotonic())
                                                   if "signin.aws.amazon.com" in url else None)
                        request = LoginRequest(url=idp.sso_url, username="bob", state_dir=driven_dir,
                                               interactive=False, timeout=60, browser_driver="playwright")
                    start = time.monotonic()
                    saml = provider.fetch_saml_response(request)
                    end = time.monotonic()
                    read_saml_response(saml)
                    at = proxies[0].captured_at if proxies else captured[0]
                    times[mode][0].append(at - start)
                    times[mode][1].append(end - start)
            if idp.login_count("bob") != logins:
                raise SystemExit("a timed sign-in typed a password: the IdP session was not reused")
    finally:
        xvfb.terminate()
        xvfb.wait(10)

    print(f"browser sign-in with a live IdP session, headless, median of {ROUNDS} (interleaved):")
    med = {mode: (statistics.median(a), statistics.median(b)) for mode, (a, b) in times.items()}
    for mode, (capture, whole) in med.items():
        print(f"  {mode:<10}  launch -> capture {capture:6.2f} s   whole call {whole:6.2f} s")
    print(f"  default / playwright: launch -> capture {med['default'][0] / med['playwright'][0]:.2f}x, "
          f"whole call {med['default'][1] / med['playwright'][1]:.2f}x (target <= 1)")


if __name__ == "__main__":
    main()
