"""An IdP answer is read within a size and a time: a page without end or a server trickling bytes
ends the sign-in with an error instead of holding it (and memory) for ever; form and ECP providers."""

from __future__ import annotations

import itertools
import time

import pytest

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.ecp import MAX_ANSWER_BYTES, EcpProvider
from samlcreds.idp.form import FormProvider
from samlcreds.idp.form.walk import MAX_PAGE_BYTES
from tests.unit.form_server import PageServer, Reply, Stream, aws_form

MIB = 1024 * 1024


def endless() -> Stream:
    """64 KiB pieces of an HTML page, as fast as the client takes them, up to 256 MiB."""
    return Stream(lambda: itertools.chain([b"<html><body>"], itertools.repeat(b"<p>" + b"x" * 65533, 4096)))


def trickle() -> Stream:
    """One byte every 50 ms for up to 60 s: each wait is short, the whole is not."""
    return Stream(lambda: itertools.repeat(b" ", 1200), pause=0.05)


def sign_in(provider, server: PageServer, path: str, timeout: float = 10):
    request = LoginRequest(url=server.base + path, username="alice", timeout=timeout,
                           get_password=lambda prompt: "pw")
    return provider.fetch_saml_response(request)


@pytest.mark.parametrize("provider,limit,message", [
    (FormProvider(), MAX_PAGE_BYTES, "sent a page of over 4,194,304 bytes, the most samlcreds reads"),
    (EcpProvider(), MAX_ANSWER_BYTES, "its answer is over 1,048,576 bytes"),
])
def test_a_page_without_end_is_cut_at_the_limit(provider, limit, message):
    stream = endless()
    with PageServer({"/sso": stream}) as server:
        with pytest.raises(errors.LoginFlowError) as info:
            sign_in(provider, server, "/sso")
    assert message in info.value.message
    assert stream.sent < limit + 4 * MIB  # what was read, plus socket buffers: not the 256 MiB on offer


def test_the_body_of_a_redirect_is_cut_too():
    stream = endless()
    stream.status, stream.headers = 302, {"Location": "/aws"}
    with PageServer({"/sso": stream, "/aws": aws_form("QUJD")}) as server:
        assert sign_in(FormProvider(), server, "/sso") == "QUJD"
    assert stream.sent < MAX_PAGE_BYTES + 4 * MIB


@pytest.mark.parametrize("provider", [FormProvider(), EcpProvider()], ids=["form", "ecp"])
def test_a_trickling_answer_ends_at_the_timeout(provider):
    with PageServer({"/sso": trickle()}) as server:
        started = time.monotonic()
        with pytest.raises(errors.IdpUnreachable) as info:
            sign_in(provider, server, "/sso", timeout=1)
        took = time.monotonic() - started
    assert info.value.message == f"the IdP at 127.0.0.1:{server.port} did not finish its answer within 1 s"
    assert took < 5  # 1 s and a read; the server would go on for 60 s


def test_a_redirect_to_a_trickling_host_names_that_host():
    with PageServer({"/next": trickle()}) as slow:
        with PageServer({"/sso": Reply("", 302, {"Location": slow.base + "/next"})}) as server:
            with pytest.raises(errors.IdpUnreachable) as info:
                sign_in(FormProvider(), server, "/sso", timeout=1)
    assert info.value.message == f"the IdP at 127.0.0.1:{slow.port} did not finish its answer within 1 s"
    assert info.value.hint == "Try again, or raise the timeout (saml_timeout / --timeout)."


def test_an_element_with_a_flood_of_attributes_is_refused_before_the_quadratic_parse():
    flood = "<html><body><form><input " + " ".join(f"a{n}=1" for n in range(400_000)) + "></form></body></html>"
    with PageServer({"/sso": flood}) as server:
        started = time.monotonic()
        with pytest.raises(errors.LoginFlowError) as info:
            sign_in(FormProvider(), server, "/sso")
    assert "an element of over 2,000 attributes" in info.value.message
    assert time.monotonic() - started < 10  # libxml2 would take minutes
    # a SAMLResponse field, one long value in a tag of few words, is parsed as ever
    with PageServer({"/sso": aws_form("QUJD" * 30_000)}) as server:
        assert sign_in(FormProvider(), server, "/sso") == "QUJD" * 30_000
