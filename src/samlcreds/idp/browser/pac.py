"""The proxy auto-config (PAC) script: only the AWS sign-in hosts go to the capture proxy.

Every other host goes ``DIRECT``, or to the user's proxy when ``HTTPS_PROXY``
(https URLs) / ``HTTP_PROXY`` (http URLs) are set, except hosts matching
``NO_PROXY`` (the curl/requests convention: comma-separated host names or
domain suffixes, a leading ``.`` or ``*.`` allowed, ``*`` for all, IP
addresses and CIDR blocks). The script is handed to the browser as a
``data:`` URL (``--proxy-pac-url``); it holds no secret. Proxy user names
and passwords cannot go into a PAC script: the browser asks for them itself.

PAC functions used (``dnsDomainIs``, ``isInNet``, ``shExpMatch``) are the
Netscape PAC set every Chromium implements.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import urllib.parse

from samlcreds.aws import SIGNIN_HOSTS


def upstream(environ: dict | None = None) -> tuple[str | None, str | None, list[str]]:
    """``(https proxy "host:port", http proxy "host:port", NO_PROXY entries)`` from the environment.

    Both spellings (``HTTPS_PROXY``/``https_proxy``...) are read, the upper-case one first.
    A proxy URL without a port gets 80 (http) or 443 (https scheme), as curl does.
    """
    env = os.environ if environ is None else environ

    def server(*names: str) -> str | None:
        for name in names:
            value = (env.get(name) or "").strip()
            if value:
                if "://" not in value:
                    value = "http://" + value
                parts = urllib.parse.urlsplit(value)
                if not parts.hostname:
                    return None
                host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
                return f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        return None

    https = server("HTTPS_PROXY", "https_proxy")
    http = server("HTTP_PROXY", "http_proxy")
    bypass = (env.get("NO_PROXY") or env.get("no_proxy") or "").strip()
    return https, http, [p.strip().lower() for p in bypass.split(",") if p.strip()]


def pac_script(capture_port: int, environ: dict | None = None) -> str:
    """The PAC JavaScript: AWS sign-in hosts → ``PROXY 127.0.0.1:capture_port``, the rest as above."""
    https, http, bypass = upstream(environ)
    names = sorted(SIGNIN_HOSTS)
    domains, nets = [], []
    everything = False
    for entry in bypass:
        if entry == "*":
            everything = True
            continue
        host = entry
        if host.startswith("[") and "]" in host:  # [::1]:port
            host = host[1:host.index("]")]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]  # host:port (the port is not matched, as in requests)
        try:
            net = ipaddress.ip_network(host, strict=False)
        except ValueError:
            domains.append(host.lstrip("*").lstrip("."))
            continue
        if net.version == 4:
            nets.append((str(net.network_address), str(net.netmask)))
        else:
            domains.append(host)  # IPv6 literal: matched as text
    lines = [
        "function FindProxyForURL(url, host) {",
        "  host = host.toLowerCase();",
        f"  var aws = {json.dumps(names)};",
        "  for (var i = 0; i < aws.length; i++) {",
        "    if (host == aws[i] || dnsDomainIs(host, '.' + aws[i])) {",
        f"      return 'PROXY 127.0.0.1:{int(capture_port)}';",
        "    }",
        "  }",
    ]
    if not (https or http) or everything:
        lines += ["  return 'DIRECT';", "}"]
        return "\n".join(lines) + "\n"
    lines += [
        f"  var bypass = {json.dumps(domains)};",
        "  for (var j = 0; j < bypass.length; j++) {",
        "    if (host == bypass[j] || dnsDomainIs(host, '.' + bypass[j])) return 'DIRECT';",
        "  }",
    ]
    if nets:
        lines.append("  if (/^[0-9.]+$/.test(host)) {")
        for address, mask in nets:
            lines.append(f"    if (isInNet(host, {json.dumps(address)}, {json.dumps(mask)})) return 'DIRECT';")
        lines.append("  }")
    if https:
        lines.append(f"  if (url.substring(0, 6) == 'https:' || url.substring(0, 4) == 'wss:') "
                     f"return {json.dumps('PROXY ' + https)};")
    if http:
        lines.append(f"  if (url.substring(0, 5) == 'http:' || url.substring(0, 3) == 'ws:') "
                     f"return {json.dumps('PROXY ' + http)};")
    lines += ["  return 'DIRECT';", "}"]
    return "\n".join(lines) + "\n"


def pac_data_url(capture_port: int, environ: dict | None = None) -> str:
    """:func:`pac_script` as a ``data:application/x-ns-proxy-autoconfig;base64,...`` URL."""
    script = pac_script(capture_port, environ).encode("utf-8")
    return "data:application/x-ns-proxy-autoconfig;base64," + base64.b64encode(script).decode("ascii")
