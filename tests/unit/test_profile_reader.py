"""The warm path's small config reader against botocore's own loader, on tricky files."""

from __future__ import annotations

import pytest
from botocore import configloader
from botocore.exceptions import ConfigParseError

from samlcreds import errors, profile

PLAIN = "[default]\nregion = eu-west-1\n\n[profile work]\nsaml_url = https://idp/sso\nsaml_role_arn = Dev\n"

#: (name, file bytes, True when the small reader must take it rather than hand it to configparser)
FILES = [
    ("plain", PLAIN.encode(), True),
    ("crlf", PLAIN.replace("\n", "\r\n").encode(), True),
    ("old mac line breaks", PLAIN.replace("\n", "\r").encode(), True),
    ("comments and colons", b"# top\n[profile work]\n; note\nsaml_url: https://idp/sso # not a comment\n"
     b"   # indented comment\nREGION=us-west-2\n", True),
    ("nested s3 block", b"[profile work]\ns3 =\n  max_concurrent_requests = 20\n\n  addressing_style = path\n\n"
     b"saml_url = u\n", True),
    ("continuation and blank lines", b"[profile work]\nsaml_url = a\n  b\n\n\n  c\n\nsaml_username = me\n", True),
    ("spaces and tabs", b"  [profile work]  \n\tsaml_url\t=\t u = v \n", True),
    ("empty value", b"[profile work]\nsaml_url =\nsaml_role_arn=\n", True),
    ("section in a value", b"[profile work]\nsaml_url = u\n  [profile other]\n  x = 1\n", True),
    ("bracket in header", b"[profile work] trailing\nsaml_url = u\n[profile a]b]\nk = v\n", True),
    ("two sections for one profile", b"[profile work]\nsaml_url = one\n[profile  work]\nsaml_username = two\n",
     True),
    ("default twice", b"[default]\nregion = a\n[profile default]\nsaml_url = b\n", True),
    ("quoted names", b'[profile "my work"]\nsaml_url = q\n[profile \'x y\']\nk = v\n[profile my work]\nk = w\n',
     True),
    ("profiles prefix", b"[profiles work]\nsaml_url = p\n[profilework]\nk = v\n", True),
    ("unicode whitespace", "[profile\u00a0work]\nsaml_url = a\u2028\n[profile\x0bx]\nk = v\n".encode(), True),
    ("utf-8 values", "[profile work]\nsaml_username = jos\u00e9\n".encode(), True),
    ("DEFAULT section", b"[DEFAULT]\nsaml_url = d\n[profile work]\nregion = r\n", False),
    ("duplicate section", b"[profile work]\na = 1\n[profile work]\nb = 2\n", False),
    ("duplicate key", b"[profile work]\nsaml_url = 1\nSAML_URL = 2\n", False),
    ("no section", b"saml_url = u\n[profile work]\n", False),
    ("no delimiter", b"[profile work]\nsaml_url\n", False),
    ("empty key", b"[profile work]\n= v\n", False),
    ("bom", b"\xef\xbb\xbf[profile work]\nsaml_url = u\n", False),
    ("latin-1", b"[profile work]\nsaml_username = jos\xe9\n", False),
]


def botocore_view(path):
    """``(sections, profiles)`` as botocore reads the file, or ``None`` when it refuses it."""
    try:
        raw = configloader.raw_config_parse(str(path), parse_subsections=False)
    except ConfigParseError:
        return None
    return raw, configloader.build_profile_map(raw)["profiles"]


@pytest.mark.parametrize("name,data,taken", FILES, ids=[f[0] for f in FILES])
def test_small_reader_matches_botocore(tmp_path, name, data, taken):
    path = tmp_path / "config"
    path.write_bytes(data)
    seen = botocore_view(path)
    sections = profile._sections(data)
    assert (sections is not None) == taken
    if seen is None:
        assert sections is None  # whatever botocore refuses goes to configparser (and its error message)
        with pytest.raises(errors.FileParseError):
            profile.read_profile("work", {"AWS_CONFIG_FILE": str(path)})
        return
    raw, profiles = seen
    if sections is not None:
        assert sections == raw
    for wanted in {*profiles, "work", "my work", "x y", "default", "missing"}:
        assert profile.read_profile(wanted, {"AWS_CONFIG_FILE": str(path)}) == profiles.get(wanted, {}), wanted


def test_the_plain_path_imports_no_configparser(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "config"
    path.write_text(PLAIN)
    code = ("import sys; from samlcreds import profile;"
            f"assert profile.read_profile('work', {{'AWS_CONFIG_FILE': {str(path)!r}}})['saml_role_arn'] == 'Dev';"
            "print('configparser' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
