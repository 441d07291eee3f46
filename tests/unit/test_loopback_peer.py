"""Reading the owner of a loopback client socket from a /proc/net/tcp table (proc(5) layout)."""

from __future__ import annotations

from samlcreds.servers.redirect import loopback_peer_uid

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def table(tmp_path, *rows: str):
    path = tmp_path / "tcp"
    path.write_text(HEADER + "".join(rows))
    return str(path)


def row(local: str, remote: str, uid: int) -> str:
    return f"   1: {local} {remote} 01 00000000:00000000 00:00000000 00000000  {uid:>5}        0 4242 1\n"


def test_the_client_socket_s_owner_is_found(tmp_path):
    path = table(tmp_path,
                 row("0100007F:1F90", "0100007F:D431", 1000),  # the server's side of the connection
                 row("0100007F:D431", "0100007F:1F90", 65534),  # the client 127.0.0.1:54321 -> :8080
                 row("0100007F:D432", "0100007F:1F90", 0))  # another client
    assert loopback_peer_uid(("127.0.0.1", 0xD431), 0x1F90, path) == 65534
    assert loopback_peer_uid(("127.0.0.1", 0xD432), 0x1F90, path) == 0


def test_other_loopback_addresses_and_byte_orders(tmp_path):
    path = table(tmp_path, row("0500007F:D431", "0100007F:1F90", 7), row("7F000009:D432", "7F000001:1F90", 8))
    assert loopback_peer_uid(("127.0.0.5", 0xD431), 0x1F90, path) == 7
    assert loopback_peer_uid(("127.0.0.9", 0xD432), 0x1F90, path) == 8  # a big-endian host's table


def test_no_such_socket_is_minus_one_and_no_table_is_none(tmp_path):
    assert loopback_peer_uid(("127.0.0.1", 1), 2, table(tmp_path, row("0100007F:0003", "0100007F:0002", 5))) == -1
    assert loopback_peer_uid(("127.0.0.1", 1), 2, str(tmp_path / "absent")) is None
