"""Line-preserving ini edits (samlcreds.inifile), pure text in and out, plus the locked file updates."""

from __future__ import annotations

import configparser
import os

import pytest

from samlcreds import errors, inifile

TEXT = "# keep me\n[a]\nx = 1\n  continued\ny = 2\n\n[b]\nz = 3\n"


def _parse(text):
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def test_replaces_keys_and_keeps_other_lines():
    out = inifile.edit_section(TEXT, "a", {"x": "9"})
    assert out == "# keep me\n[a]\ny = 2\nx = 9\n\n[b]\nz = 3\n"


def test_appends_a_missing_section():
    assert inifile.edit_section(TEXT, "c", {"k": "v"}) == TEXT + "\n[c]\nk = v\n"


def test_new_section_in_an_empty_file():
    assert inifile.edit_section("", "c", {"k": "v"}) == "[c]\nk = v\n"


def test_file_without_final_newline():
    assert inifile.edit_section("[a]\nx = 1", "a", {"y": "2"}) == "[a]\nx = 1\ny = 2\n"
    assert inifile.edit_section("[a]\nx = 1", "b", {"y": "2"}) == "[a]\nx = 1\n\n[b]\ny = 2\n"


def test_crlf_files_stay_crlf():
    out = inifile.edit_section("[a]\r\nx = 1\r\n", "a", {"y": "2"})
    assert out == "[a]\r\nx = 1\r\ny = 2\r\n"


def test_removes_keys_case_insensitively():
    out = inifile.edit_section("[a]\nAWS_Session_Token = t\nkeep = 1\n", "a", {"k": "v"}, remove=["aws_session_token"])
    assert out == "[a]\nkeep = 1\nk = v\n"


def test_last_of_repeated_sections_is_edited():
    out = inifile.edit_section("[a]\nx = 1\n[a]\nx = 2\n", "a", {"x": "3"})
    assert out == "[a]\nx = 1\n[a]\nx = 3\n"


def test_section_matcher():
    out = inifile.edit_section("[profile  w]\nx = 1\n", "profile w", {"x": "2"},
                               matches=lambda name: name.split() == ["profile", "w"])
    assert out == "[profile  w]\nx = 2\n"


def test_comment_lines_in_the_section_stay():
    out = inifile.edit_section("[a]\n# note\nx = 1\n; other\n", "a", {"x": "2"})
    assert out == "[a]\n# note\n; other\nx = 2\n"


def test_header_with_trailing_comment():
    out = inifile.edit_section("[a] # mine\nx = 1\n", "a", {"x": "2"})
    assert out == "[a] # mine\nx = 2\n"


def test_result_still_parses_the_same_elsewhere():
    out = inifile.edit_section(TEXT, "a", {"x": "9"})
    assert dict(_parse(out).items("b")) == dict(_parse(TEXT).items("b"))


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\u2028b", "a\x0bb", "a\x85b", "a\0b", "", "   "])
def test_values_that_are_not_one_line_are_refused(value):
    with pytest.raises(errors.UsageError):
        inifile.edit_section(TEXT, "a", {"x": value})


@pytest.mark.parametrize("section", ["a]b", "profile [x", "a\nb", "profile  ", ""])
def test_section_names_that_break_headers_are_refused(section):
    with pytest.raises(errors.UsageError):
        inifile.check_entries(section, {})


def test_split_lines_only_at_newline():
    assert inifile.split_lines("a\u2028b\nc") == ["a\u2028b\n", "c"]
    assert inifile.split_lines("") == []


def test_breaks_line():
    assert inifile.breaks_line("a\u2029b") and inifile.breaks_line("a\0") and not inifile.breaks_line("a b")


def test_validate_names_the_line(tmp_path):
    with pytest.raises(errors.FileParseError, match="line 1 is outside any"):
        inifile.validate("x = 1\n[a]\n", tmp_path / "f")
    with pytest.raises(errors.FileParseError, match="line 3"):
        inifile.validate("[a]\nx = 1\njunk\n", tmp_path / "f")


def test_section_keys():
    assert inifile.section_keys(TEXT, "b") == {"z": "3"}
    assert inifile.section_keys(TEXT, "missing") == {}


def test_update_section_on_disk(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(TEXT)
    inifile.update_section(path, "b", {"z": "4"})
    assert path.read_text() == TEXT.replace("z = 3", "z = 4")
    assert path.stat().st_mode & 0o777 == 0o600


def test_update_section_guard_refuses_and_changes_nothing(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(TEXT)

    def guard(keys):
        assert keys == {"z": "3"}
        raise errors.UsageError("no")

    with pytest.raises(errors.UsageError):
        inifile.update_section(path, "b", {"z": "4"}, guard=guard)
    assert path.read_text() == TEXT


def test_unparsable_file_is_left_alone(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("junk\n")
    with pytest.raises(errors.FileParseError):
        inifile.update_section(path, "b", {"z": "4"})
    assert path.read_text() == "junk\n"


def test_remove_keys(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(TEXT)
    assert inifile.remove_keys(path, "a", ["x"]) is True
    assert path.read_text() == "# keep me\n[a]\ny = 2\n\n[b]\nz = 3\n"
    assert inifile.remove_keys(path, "a", ["x"]) is False
    assert inifile.remove_keys(tmp_path / "absent", "a", ["x"]) is False


# --- logout's take-back: a section emptied of what samlcreds wrote goes, with the blank line it added ---
KEYS = ("k1", "k2")


def emptied(text: str, section: str, tmp_path) -> str:
    path = tmp_path / "credentials"
    path.write_bytes(text.encode())
    inifile.remove_keys(path, section, KEYS, drop_emptied=True)
    return path.read_bytes().decode()


@pytest.mark.parametrize("before", ["", "# mine\n[a]\nx = 1\n", "[a]\nx = 1\n\n\n", "[a]\r\nx = 1\r\n"])
def test_appending_then_emptying_a_section_gives_the_file_back(before, tmp_path):
    """edit_section appends ``[s]`` after a blank line; taking its keys back restores every byte before."""
    once = inifile.edit_section(before, "s", {"k1": "v", "k2": "w"})
    assert emptied(once, "s", tmp_path) == before
    twice = inifile.edit_section(once, "t", {"k1": "v"})  # [t] appended after [s]
    assert emptied(twice, "s", tmp_path) == inifile.edit_section(before, "t", {"k1": "v"})


@pytest.mark.parametrize("text", [
    "[s]\nk1 = v\n# a comment the user wrote\n",
    "[s]\n; mine\nk1 = v\n",
    "[s] # mine\nk1 = v\n",
    "[s]\nk1 = v\nregion = eu-west-1\n",
])
def test_a_section_holding_anything_else_stays(text, tmp_path):
    after = emptied(text, "s", tmp_path)
    assert after.startswith(text.split("\n")[0]) and "k1" not in after
    assert after == "".join(line for line in text.splitlines(keepends=True) if not line.startswith("k1"))


def test_an_empty_section_samlcreds_did_not_empty_stays(tmp_path):
    text = "[a]\nx = 1\n\n[s]\n\n[b]\nk1 = v\n"
    assert emptied(text, "s", tmp_path) == text
    assert emptied(text, "b", tmp_path) == "[a]\nx = 1\n\n[s]\n"
    assert inifile.remove_keys(tmp_path / "credentials", "a", ["k1"], drop_emptied=True) is False


def test_a_section_whose_removal_would_change_another_stays(tmp_path):
    text = "[a]\nx = 1\n\n[s]\nk1 = v\n  [b]\ny = 2\n"  # without [s], "  [b]" would continue x
    assert emptied(text, "s", tmp_path) == "[a]\nx = 1\n\n[s]\n  [b]\ny = 2\n"


def test_without_drop_emptied_the_header_stays(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[a]\nx = 1\n\n[s]\nk1 = v\n")
    assert inifile.remove_keys(path, "s", KEYS) is True
    assert path.read_text() == "[a]\nx = 1\n\n[s]\n"


def test_a_symlinked_file_is_edited_at_its_target_and_stays_a_link(tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "aws-config").write_text("[profile a]\nregion = eu-west-1\n")
    link = tmp_path / "config"
    link.symlink_to(dotfiles / "aws-config")
    inifile.update_section(link, "profile a", {"saml_username": "me"})
    assert link.is_symlink()
    assert (dotfiles / "aws-config").read_text() == "[profile a]\nregion = eu-west-1\nsaml_username = me\n"
    assert inifile.remove_keys(link, "profile a", ["saml_username"])
    assert link.is_symlink() and (dotfiles / "aws-config").read_text() == "[profile a]\nregion = eu-west-1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "dotfiles"]  # the lock is by the target


def test_a_read_only_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[a]\naws_access_key_id = AKIAKEEP\n")
    path.chmod(0o444)
    with pytest.raises(errors.LocalFileError) as info:
        inifile.update_section(path, "a", {"aws_session_token": "t"})
    assert info.value.message == f"{path} is read-only (mode 0444); samlcreds leaves it unchanged"
    assert info.value.hint == f"Make it writable (chmod u+w {path}) and run the command again."
    with pytest.raises(errors.LocalFileError):
        inifile.remove_keys(path, "a", ["aws_access_key_id"])
    assert not inifile.remove_keys(path, "a", ["aws_session_token"])  # nothing to change: no refusal either
    assert path.read_text() == "[a]\naws_access_key_id = AKIAKEEP\n" and path.stat().st_mode & 0o777 == 0o444


def test_a_config_file_that_is_not_utf8_is_refused_and_kept(tmp_path):
    """As samlcreds' own reader of the config file refuses it (the credentials file keeps such bytes)."""
    path = tmp_path / "config"
    path.write_bytes(b"[profile a]\nregion = eu-west-1\n# caf\xe9\n")
    with pytest.raises(errors.FileParseError) as info:
        inifile.update_section(path, "profile a", {"saml_username": "me"}, utf8=True)
    assert info.value.message == f"{path} is not UTF-8 text (line 3); botocore cannot read it either"
    assert path.read_bytes() == b"[profile a]\nregion = eu-west-1\n# caf\xe9\n"
    path.write_text("[profile a]\n# café, in UTF-8\n")
    inifile.update_section(path, "profile a", {"saml_username": "me"}, utf8=True)
    assert path.read_text() == "[profile a]\n# café, in UTF-8\nsaml_username = me\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may edit another user's file")
def test_root_editing_a_users_file_leaves_it_the_users(tmp_path):
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    for path in (config, credentials):
        path.write_text("[profile a]\nregion = eu-west-1\n")
        os.chown(path, 65534, 65534)
        path.chmod(0o644)
    inifile.update_section(config, "profile a", {"saml_username": "me"}, private=False)
    inifile.update_section(credentials, "profile a", {"aws_session_token": "t"})
    for path, mode in ((config, 0o644), (credentials, 0o600)):  # the credentials file holds secrets
        found = path.stat()
        assert (found.st_uid, found.st_gid, found.st_mode & 0o777) == (65534, 65534, mode), path


def test_an_edit_below_an_indented_header_is_refused_not_written_into_the_section_before(tmp_path):
    path = tmp_path / "config"
    before = "[profile a]\nregion = us-east-1\n  [profile b]\n"  # to configparser: region = "us-east-1\n[profile b]"
    path.write_text(before)
    with pytest.raises(errors.FileParseError) as info:
        inifile.update_section(path, "profile b", {"saml_username": "u"})
    assert "the settings would not be read back from [profile b]" in info.value.message
    assert path.read_text() == before
