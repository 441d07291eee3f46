"""Reading SAMLResponses: encodings, namespaces, role pairs, and each bad input's error."""

from __future__ import annotations

import base64
import html
import textwrap
import time
import urllib.parse

import pytest

from samlcreds import errors
from samlcreds.saml import (
    MAX_BASE64_LENGTH,
    decode_saml_response,
    parse_saml_response,
    read_saml_response,
)
from samlcreds.roles import RolePair
from samlcreds.saml.decode import ENCODED_LENGTH_FACTOR
from tests.samples import AWS, PROV_1, PROV_2, ROLE_A, ROLE_B, ROLE_C, assertion_xml, attribute, b64, response_xml


def test_reads_pairs_in_either_order_with_paths_and_fields():
    a = read_saml_response(b64(response_xml()))
    assert a.roles == (RolePair(ROLE_A, PROV_1), RolePair(ROLE_B, PROV_1))
    assert a.roles[1].path_name == "team/ops/Admin" and a.roles[1].role_name == "Admin"
    assert a.role_session_name == "alice@example.com"
    assert a.session_duration == 3600
    assert a.issuer == "http://idp.example/metadata"
    assert a.destination == a.recipient == "https://signin.aws.amazon.com/saml"
    assert a.audiences == ("urn:amazon:webservices",)
    assert a.name_id == "alice"
    assert a.status_code.endswith(":Success")
    assert a.not_on_or_after > a.not_before
    assert a.session_not_on_or_after is not None and a.issue_instant is not None


@pytest.mark.parametrize("prefix,pprefix", [("saml", "samlp"), ("saml2", "saml2p"), ("x", "y")])
def test_namespace_prefixes_do_not_matter(prefix, pprefix):
    a = read_saml_response(response_xml(prefix=prefix, pprefix=pprefix))
    assert len(a.roles) == 2


def test_default_namespace():
    xml = response_xml()
    xml = xml.replace('xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"', "")
    xml = xml.replace("<saml:Assertion ", '<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ')
    xml = xml.replace("<saml:Issuer>", '<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">', 1)
    xml = xml.replace("</saml:Issuer>", "</Issuer>", 1)
    xml = xml.replace("saml:", "")
    a = read_saml_response(xml)
    assert a.roles == (RolePair(ROLE_A, PROV_1), RolePair(ROLE_B, PROV_1))


def test_whitespace_newlines_duplicates_and_two_accounts():
    roles = (f"\n  {ROLE_A} ,\n {PROV_1}  \n", f"{ROLE_A},{PROV_1}", f"{PROV_2},{ROLE_C}")
    a = read_saml_response(response_xml(roles=roles))
    assert a.roles == (RolePair(ROLE_A, PROV_1), RolePair(ROLE_C, PROV_2))


@pytest.mark.parametrize("value", [
    f"{ROLE_A},{PROV_1},",  # Google Workspace's shape (cevoaustralia/aws-google-auth#12, too-many-commas.xml)
    f"{ROLE_A} , {PROV_1} , ",
    f"{PROV_1},{ROLE_A},",
    f"\n {ROLE_A},\n {PROV_1},\n",
])
def test_one_trailing_comma_is_read_as_the_pair(value):
    assert read_saml_response(response_xml(roles=(value,))).roles == (RolePair(ROLE_A, PROV_1),)
    # alone or among well-formed values (the one-pass reading of many values)
    many = read_saml_response(response_xml(roles=(f"{ROLE_B},{PROV_1}", value, f"{PROV_2},{ROLE_C}")))
    assert many.roles == (RolePair(ROLE_B, PROV_1), RolePair(ROLE_A, PROV_1), RolePair(ROLE_C, PROV_2))


@pytest.mark.parametrize("value", [
    f"{ROLE_A},{ROLE_B},{PROV_1}",
    f"{ROLE_A},{PROV_1},{ROLE_B}",
    f"{ROLE_A},{PROV_1},{PROV_2}",
    f"{PROV_1},{PROV_2},",
    f"{ROLE_A},{PROV_1},,",
    f",{ROLE_A},{PROV_1}",
])
def test_two_roles_or_two_providers_are_still_refused(value):
    with pytest.raises(errors.BadRoleValue) as info:
        read_saml_response(response_xml(roles=(f"{ROLE_B},{PROV_1}", value)))
    assert value.strip() in info.value.message


def test_several_role_attributes_are_merged():
    extra = attribute(AWS + "Role", f"{ROLE_C},{PROV_2}")
    a = read_saml_response(response_xml(roles=(f"{ROLE_A},{PROV_1}",), extra_attributes=extra))
    assert [r.role_arn for r in a.roles] == [ROLE_A, ROLE_C]


@pytest.mark.parametrize("partition,host", [("aws-us-gov", "signin.amazonaws-us-gov.com"),
                                            ("aws-cn", "signin.amazonaws.cn")])
def test_other_partitions(partition, host):
    role = f"arn:{partition}:iam::111111111111:role/Dev"
    prov = f"arn:{partition}:iam::111111111111:saml-provider/Idp"
    a = read_saml_response(response_xml(roles=(f"{role},{prov}",), destination=f"https://{host}/saml"))
    assert a.roles[0].partition == partition


def test_optional_attributes():
    extra = (attribute(AWS + "SourceIdentity", "alice") + attribute(AWS + "PrincipalTag:team", "ops")
             + attribute(AWS + "TransitiveTagKeys", "team"))
    a = read_saml_response(response_xml(extra_attributes=extra))
    assert a.source_identity == "alice"
    assert a.principal_tags == (("team", "ops"),)
    assert a.transitive_tag_keys == ("team",)
    assert len(a.optional_attributes) == 2


def test_comment_inside_value_does_not_truncate_it():
    value = f"{ROLE_A}<!-- x -->,{PROV_1}"
    a = read_saml_response(response_xml(roles=(value,)))
    assert a.roles == (RolePair(ROLE_A, PROV_1),)


# ---- encodings -------------------------------------------------------------
def _encodings(xml: bytes) -> dict[str, str | bytes]:
    one_line = base64.b64encode(xml).decode()
    return {
        "one line": one_line,
        "wrapped": "\n".join(textwrap.wrap(one_line, 76)) + "\n",
        "crlf wrapped": "\r\n".join(textwrap.wrap(one_line, 64)),
        "form body": "SAMLResponse=" + urllib.parse.quote_plus(one_line) + "&RelayState=abc",
        "percent-encoded": urllib.parse.quote(one_line, safe=""),
        "html-escaped": one_line.replace("+", "&#43;").replace("=", "&#x3D;").replace("/", "&#x2F;"),
        "html page": f'<!DOCTYPE html><html><body><form method="post" action="https://signin.aws.amazon.com/saml">'
                     f'<input type="hidden" name="SAMLResponse" value="{html.escape(one_line)}"/></form></body></html>',
        "raw xml": xml,
        "raw xml text": xml.decode(),
    }


def _xml_with_plus_and_slash() -> bytes:
    """A response whose base64 holds '+' and '/', so damage and escaping matter."""
    for i in range(1000):
        xml = response_xml(session_name=f"alice{i}@example.com",
                           extra_attributes=attribute(AWS + "PrincipalTag:k", "\u00fb\u00ff~?>" * 3)).encode()
        encoded = base64.b64encode(xml).decode()
        if "+" in encoded and "/" in encoded:
            return xml
    raise AssertionError("no sample with + and /")


def test_every_encoding_gives_the_exact_bytes():
    xml = _xml_with_plus_and_slash()
    for name, text in _encodings(xml).items():
        assert decode_saml_response(text) == xml, name


def test_plus_turned_into_space_is_refused():
    xml = _xml_with_plus_and_slash()
    damaged = base64.b64encode(xml).decode().replace("+", " ")
    with pytest.raises(errors.DamagedEncoding, match=r"'\+' signs"):
        decode_saml_response(damaged)
    with pytest.raises(errors.DamagedEncoding):
        decode_saml_response("SAMLResponse=" + base64.b64encode(xml).decode())  # + not form-encoded


# ---- bad inputs: exact error classes ----------------------------------------
def test_html_login_page():
    page = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form><input type=password name=p></form></body></html>"
    with pytest.raises(errors.NotSamlResponse, match="login"):
        parse_saml_response(page)
    with pytest.raises(errors.NotSamlResponse, match="login page"):
        parse_saml_response(b64("<html><body>hi</body></html>"))


def test_not_base64():
    with pytest.raises(errors.NotSamlResponse, match="not a base64"):
        parse_saml_response("this is not it!")


def test_base64_of_non_xml():
    with pytest.raises(errors.NotSamlResponse, match="does not decode to XML"):
        parse_saml_response(b64("hello world, plain text"))


def test_truncated_base64():
    text = b64(response_xml())
    with pytest.raises(errors.TruncatedSamlResponse):
        parse_saml_response(text[: (len(text) // 4) * 4 - 3])


def test_truncated_xml():
    with pytest.raises(errors.TruncatedSamlResponse, match="ends early"):
        parse_saml_response(b64(response_xml()[:-200]))


def test_other_xml_root():
    with pytest.raises(errors.NotSamlResponse, match="AuthnRequest"):
        parse_saml_response('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>')


def test_status_not_success_is_shown():
    xml = response_xml(status="urn:oasis:names:tc:SAML:2.0:status:Responder")
    with pytest.raises(errors.StatusNotSuccess, match="status:Responder"):
        parse_saml_response(xml)


def test_no_role_attribute_lists_present_names():
    with pytest.raises(errors.NoRoleAttribute, match="RoleSessionName"):
        read_saml_response(response_xml(roles=()))


def test_wrong_case_attribute_name():
    xml = response_xml().replace(AWS + "Role\"", "https://aws.amazon.com/SAML/Attributes/role\"")
    with pytest.raises(errors.AttributeNameCase, match="wrong case"):
        read_saml_response(xml)


@pytest.mark.parametrize("value", [
    ROLE_A,
    f"{ROLE_A},{ROLE_B}",
    f"{ROLE_A},{PROV_1},{PROV_2}",
    f"{ROLE_A};{PROV_1}",
    f"arn:aws:iam::1111:role/X,{PROV_1}",
    f"{ROLE_A},arn:aws-cn:iam::111111111111:saml-provider/P",
])
def test_bad_role_value_is_quoted(value):
    with pytest.raises(errors.BadRoleValue) as info:
        read_saml_response(response_xml(roles=(value,)))
    assert value.strip() in info.value.message


@pytest.mark.parametrize("name", [None, "a", "x" * 65, "alice smith", "al/ice"])
def test_role_session_name_rule(name):
    with pytest.raises(errors.BadRoleSessionName):
        read_saml_response(response_xml(session_name=name))


def test_too_large_is_refused_before_decoding():
    big = "A" * (MAX_BASE64_LENGTH + 4)
    started = time.perf_counter()
    with pytest.raises(errors.AssertionTooLarge, match="100,000"):
        parse_saml_response(big)
    assert time.perf_counter() - started < 0.1
    too_big = response_xml(extra_attributes=attribute(AWS + "PrincipalTag:x", "y" * 80_000))
    with pytest.raises(errors.AssertionTooLarge):
        parse_saml_response(too_big)
    one_line = base64.b64encode(too_big.encode()).decode()  # decodes to XML: the one-line fast path checks the size too
    assert MAX_BASE64_LENGTH < len(one_line) < ENCODED_LENGTH_FACTOR * MAX_BASE64_LENGTH
    with pytest.raises(errors.AssertionTooLarge, match=f"is {len(one_line):,} base64 characters"):
        parse_saml_response(one_line)
    assert parse_saml_response(one_line, max_length=None).roles


def test_encrypted_assertion_is_a_problem_until_roles_are_given():
    xml = response_xml(assertion_override=(
        '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/>'
        "</saml:EncryptedAssertion>"))
    a = parse_saml_response(xml)
    assert a.encrypted and a.roles == ()
    with pytest.raises(errors.EncryptedAssertion, match="--role-arn"):
        a.raise_for_problems()


def test_doctype_and_entities_are_refused():
    evil = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>')
    with pytest.raises(errors.UnsafeXml):
        parse_saml_response(evil)
    with pytest.raises(errors.UnsafeXml):
        parse_saml_response(b64(evil))


def test_repr_hides_the_raw_bytes():
    a = read_saml_response(response_xml())
    assert "Developer" in repr(a.roles)
    assert "raw=" not in repr(a)


# ---- role values: the one-pass reading agrees with the value-by-value rules ---------------------
_R = "arn:aws:iam::111111111111:role/"
_P = "arn:aws:iam::111111111111:saml-provider/"
EDGE_VALUES = [
    f"{_R}Dev,{_P}Idp", f"{_P}Idp,{_R}Dev", f"  {_R}Dev ,\n\t{_P}Idp  ", f"{_R}Dev,{_P}Idp,", f"{_R}Dev,{_P}Idp , ",
    f"{_R}a/b/c/{'n' * 64},{_P}Idp", f"{_R}{'n' * 65},{_P}Idp", f"{_R}{'p' * 100}/{'n' * 64},{_P}Idp",
    f"{_R}a//b,{_P}Idp", f"{_R}/a,{_P}Idp", f"{_R}a/,{_P}Idp", f"{_R},{_P}Idp", f"{_R}Dev,{_P}",
    f"{_R}Dev,{_P}{'i' * 128}", f"{_R}Dev,{_P}{'i' * 129}", f"{_R}Dev,{_P}I+dp", f"{_R}D+e=v.@-_,{_P}I.d-p_",
    f"{_R}D\u00e9v,{_P}Idp", f"{_R}Dev,{_P}Idp\u00e9", f"{_R}De v,{_P}Idp", f"{_R}Dev,{_P}Idp,,", f",{_R}Dev,{_P}Idp",
    f"{_R}Dev,,{_P}Idp", f"{_R}Dev;{_P}Idp", f"{_R}Dev{_P}Idp", f"{_R}Dev,{_R}Ops", f"{_P}A,{_P}B",
    f"{_R}Dev,{_P}Idp,{_R}Ops", "arn:aws-us-gov:iam::111111111111:role/Dev,arn:aws-us-gov:iam::111111111111:saml-provider/I",
    "arn:aws-us-gov:iam::111111111111:role/Dev,arn:aws:iam::111111111111:saml-provider/I",
    "arn:aws-cn:iam::111111111111:saml-provider/I,arn:aws-cn:iam::111111111111:role/Dev",
    "arn:aws-:iam::111111111111:role/Dev,arn:aws-:iam::111111111111:saml-provider/I",
    "arn:aws:iam::11111111111:role/Dev,arn:aws:iam::11111111111:saml-provider/I",
    "arn:aws:iam::111111111111:role/Dev,arn:aws:iam::222222222222:saml-provider/I",
    f"{_R}Dev\x00,{_P}Idp", "", " ", ",", f"{_R}Dev", f"{_R}Dev\n,\n{_P}Idp\n,\n",
    "arn:aws:iam::\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661:role/Dev,"
    "arn:aws:iam::\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661:saml-provider/I",
    f"{_R}Dev\u00a0,{_P}Idp",
    f"\v{_P}Idp\f,\r{_R}team/a.b@c/Dev=1,\t", f"{_R}x\x1c,{_P}Idp", f"{_R}a,b,{_P}Idp",
    "", " \t\n", f"{_R}Dev,{_P}Idp\x00 {_R}Ops,{_P}Idp", f" {_R}Dev,{_P}Idp \x00", f"\x00 {_R}Dev,{_P}Idp",
    f"\x1c{_R}Dev,{_P}Idp", f" \x00{_R}Dev,{_P}Idp",
]


@pytest.mark.parametrize("value", [f"{_R}D\u00e9v,{_P}Idp", f"{_R}Dev,{_P}Idp\u00e9", f"{_R}Dev\u00a0,{_P}Idp",
                                   "arn:aws:iam::\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661"
                                   "\u0661\u0661:role/Dev,arn:aws:iam::111111111111:saml-provider/I"])
def test_role_values_are_ascii_as_iam_names_and_account_ids_are(value):
    """IAM names are "alphanumeric characters [...] _+=,.@-" and account IDs 12 digits, all ASCII
    (IAM API reference, CreateRole): a non-ASCII letter, digit or space is a bad value, not a role."""
    from samlcreds.roles import parse_role_value, parse_role_values

    assert isinstance(parse_role_value(value), errors.BadRoleValue)
    assert parse_role_values([value])[0] == ()


@pytest.mark.parametrize("value", EDGE_VALUES)
def test_one_pass_reading_agrees_with_each_value_alone(value):
    from samlcreds.roles import parse_role_value, parse_role_values

    alone = parse_role_value(value)
    good = f"{_R}Other,{_P}Idp"
    for batch in ([value], [good, value], [value, good, good]):
        pairs, problems = parse_role_values(batch)
        if isinstance(alone, RolePair):
            assert alone in pairs and not problems
        else:
            assert [p.message for p in problems] == [alone.message]
            assert alone not in pairs


def test_one_pass_reading_of_many_values_keeps_order_and_drops_duplicates():
    from samlcreds.roles import parse_role_values

    values = [v for v in EDGE_VALUES if not isinstance(_alone(v), errors.BadRoleValue)] * 3
    pairs, problems = parse_role_values(values)
    assert not problems
    assert pairs == tuple(dict.fromkeys(_alone(v) for v in values))
    assert all(type(p) is RolePair for p in pairs) and pairs[0].role_name == "Dev"


def _alone(value):
    from samlcreds.roles import parse_role_value

    return parse_role_value(value)


@pytest.mark.parametrize("tag", [
    '<INPUT TYPE="HIDDEN" NAME="SAMLResponse" VALUE="{v}">',
    '<input value="{v}" name="SAMLResponse"/>',
    '<Input type=hidden value="{v}" name=SAMLResponse>',
])
def test_html_page_input_tag_shapes(tag):
    xml = response_xml().encode()
    value = base64.b64encode(xml).decode()
    page = f"<html><body><inputs name='SAMLResponse' value='x'><input name=x value=y><form>" \
           f"{tag.format(v=value)}</form></body></html>"
    assert decode_saml_response(page) == xml
    assert decode_saml_response(page.encode()) == xml


def test_html_page_with_a_cut_off_input_tag_is_not_a_saml_response():
    with pytest.raises(errors.NotSamlResponse, match="HTML page without a SAMLResponse"):
        decode_saml_response('<html><body><input name="SAMLResponse" value="abc<p>x</p></body></html>')


def test_one_pass_reading_agrees_with_each_value_alone_on_mutated_values():
    """Seeded fuzzing: values one edit away from well-formed ones (the alphabet holds every character
    the ARN rules treat specially) are read the same by the one-pass path and value by value."""
    import random

    from samlcreds.roles import parse_role_values

    rng = random.Random(20261202)
    seeds = [f"{_R}Dev,{_P}Idp", f" {_P}Idp ,\n {_R}team/a/Dev ", f"{_R}a/b,{_P}I,",
             "arn:aws-us-gov:iam::111111111111:role/x,arn:aws-us-gov:iam::111111111111:saml-provider/y",
             f"{_R}{'n' * 64},{_P}Idp", f"{_P}Idp,{_R}{'p' * 70}/Dev"]
    alphabet = ",/: \t\n\x00-_.+=@aZ09\u00e9\u0661r"
    checked = 0
    for _ in range(3000):
        value = rng.choice(seeds)
        for _ in range(rng.randint(1, 2)):
            at = rng.randrange(len(value) + 1)
            edit = rng.choice(("insert", "delete", "replace"))
            char = rng.choice(alphabet)
            if edit == "insert":
                value = value[:at] + char + value[at:]
            elif edit == "delete":
                value = value[:at] + value[at + 1:]
            else:
                value = value[:at] + char + value[at + 1:]
        alone = _alone(value)
        pairs, problems = parse_role_values([value, f"{_R}Other,{_P}Idp"])
        if isinstance(alone, RolePair):
            assert pairs[0] == alone and not problems, value
            checked += 1
        else:
            assert [p.message for p in problems] == [alone.message], value
    assert checked > 100  # the edits leave many values well-formed, so both paths were compared


_EVIL = "arn:aws:iam::999999999999:role/Evil,arn:aws:iam::999999999999:saml-provider/Idp"


@pytest.mark.parametrize("where", ["advice", "stray"])
def test_only_the_assertions_own_attribute_statements_are_read(where):
    """A Role attribute in an Assertion nested in Advice, or anywhere but an AttributeStatement child of
    the assertion, is not one of its statements (saml-core-2.0-os 2.7.3): its role is not offered."""
    if where == "advice":
        elsewhere = f"<saml:Advice>{assertion_xml(roles=(_EVIL,), assertion_id='_inner')}</saml:Advice>"
    else:
        elsewhere = attribute(AWS + "Role", _EVIL)  # a direct child of the assertion
    parsed = parse_saml_response(response_xml().replace("<saml:AuthnStatement", elsewhere + "<saml:AuthnStatement", 1))
    assert [pair.role_arn for pair in parsed.roles] == [ROLE_A, ROLE_B]
    assert parsed.nested_assertions == (where == "advice")
    assert any("nested" in w for w in parsed.warnings) == (where == "advice")


def test_one_role_through_two_providers_is_two_pairs_and_repeats_are_dropped():
    from samlcreds.roles import parse_role_values

    pairs, problems = parse_role_values([f"{_R}Dev,{_P}A", f"{_P}B,{_R}Dev", f" {_R}Dev,{_P}A,", f"{_R}Ops,{_P}A"])
    assert pairs == (RolePair(f"{_R}Dev", f"{_P}A"), RolePair(f"{_R}Dev", f"{_P}B"), RolePair(f"{_R}Ops", f"{_P}A"))
    assert problems == ()


@pytest.mark.parametrize("sibling", ["", f"<!-- c -->{ROLE_C},{PROV_2}"], ids=["alone", "beside-a-commented-value"])
def test_a_role_value_padded_with_a_no_break_space_is_bad_however_its_attribute_is_read(sibling):
    """Role values are read untrimmed on both paths (one XPath, or each value around its comments), so the
    Role rules' ASCII-only trimming decides: a no-break space around an ARN makes the value bad either way."""
    padded = f"\u00a0{ROLE_A},{PROV_1}"
    values = (padded, sibling) if sibling else (padded,)
    parsed = parse_saml_response(response_xml(roles=values))
    assert [type(p) for p in parsed.problems] == [errors.BadRoleValue]
    assert RolePair(ROLE_A, PROV_1) not in parsed.roles


def test_a_byte_order_mark_before_base64_is_read_as_text_input_is():
    one_line = b64(response_xml())
    assert decode_saml_response(b"\xef\xbb\xbf" + one_line.encode() + b"\r\n") == base64.b64decode(one_line)
    assert decode_saml_response("\ufeff" + one_line) == base64.b64decode(one_line)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                                  (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode("utf-8", "replace")])
def test_binary_input_gets_one_answer_as_bytes_or_as_text(data):
    with pytest.raises(errors.NotSamlResponse) as info:
        decode_saml_response(data)
    assert info.value.message.startswith("the input is neither base64 nor XML (it holds non-ASCII ")
    assert info.value.message.endswith("characters, such as U+FFFD)")
    with pytest.raises(errors.NotSamlResponse, match=r"such as U\+00E9\)"):
        decode_saml_response("é…".encode() if isinstance(data, bytes) else "é…")


def test_an_html_page_with_two_different_saml_responses_is_refused_not_guessed():
    first, second = b64(response_xml()), b64(response_xml(roles=(f"{ROLE_C},{PROV_2}",)))
    form = '<form method="post" action="{}"><input type="hidden" name="SAMLResponse" value="{}"/></form>'
    page = ("<!DOCTYPE html><html><body>" + form.format("https://broker.example/acs", first)
            + form.format("https://signin.aws.amazon.com/saml", second) + "</body></html>")
    with pytest.raises(errors.NotSamlResponse) as info:
        decode_saml_response(page)
    assert info.value.message == ("the HTML page holds 2 different SAMLResponse fields; samlcreds does not guess "
                                  "which one is for AWS")
    same = page.replace(first, "\n".join(textwrap.wrap(second, 76)))  # one value, wrapped otherwise
    assert decode_saml_response(same) == base64.b64decode(second)
    empty_first = page.replace(first, "")
    assert decode_saml_response(empty_first) == base64.b64decode(second)


def test_a_time_that_is_no_xs_datetime_is_warned_about_not_taken_as_missing():
    xml = response_xml().replace('IssueInstant="', 'IssueInstant="garbage', 1)
    xml = xml.replace('<saml:Conditions NotBefore="', '<saml:Conditions NotBefore="soon', 1)
    assertion = parse_saml_response(b64(xml))
    assert assertion.issue_instant is None and assertion.not_before is None
    assert any(w.startswith("the Response's IssueInstant 'garbage") and w.endswith(
        "is not an xs:dateTime (such as 2026-12-03T09:00:00Z); it was ignored") for w in assertion.warnings)
    assert any(w.startswith("Conditions' NotBefore 'soon") for w in assertion.warnings)
    assert not any("xs:dateTime" in w for w in parse_saml_response(b64(response_xml())).warnings)
