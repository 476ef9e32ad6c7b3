"""Reads on Neo4j run in auto-commit transactions of read sessions: they still refuse to
write, and a read whose connection dropped (a network blip, a restarted server) is tried
again on a new one. The drop is real: the driver talks to the real server through a TCP
relay that closes a connection instead of forwarding a request."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from graph.errors import QueryError
from graph.store.neo4j import Neo4jStore
from tests.conftest import neo4j_settings


class Relay:
    """Forwards local connections to ``target``. After :meth:`drop_next`, the next
    request any client sends is not forwarded: its connection is closed, as a network
    blip or a restarting server closes one mid-request."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        self.dropping = threading.Event()
        self.dropped = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_next(self) -> None:
        self.dropping.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, requests: bool) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                if requests and self.dropping.is_set():
                    self.dropping.clear()
                    self.dropped += 1
                    break
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for s in self.open:
                s.close()


@pytest.fixture
def relayed() -> Iterator[tuple[Neo4jStore, Relay]]:
    s = neo4j_settings()
    url = urlsplit(s.neo4j_uri)
    relay = Relay((url.hostname or "127.0.0.1", url.port or 7687))
    store = Neo4jStore(
        f"bolt://127.0.0.1:{relay.port}",
        s.neo4j_user,
        s.neo4j_password.get_secret_value(),
        s.neo4j_database,
    )
    try:
        yield store, relay
    finally:
        store.close()
        relay.close()


def test_a_read_whose_connection_dropped_is_tried_again(
    relayed: tuple[Neo4jStore, Relay],
) -> None:
    store, relay = relayed
    assert store.read("RETURN 1 AS one") == [{"one": 1}]  # a connection in the pool
    relay.drop_next()
    assert store.read("RETURN 2 AS two") == [{"two": 2}]
    assert relay.dropped == 1  # the first try's request never reached the server


def test_a_read_session_refuses_to_write(relayed: tuple[Neo4jStore, Relay]) -> None:
    store, _ = relayed
    with pytest.raises(QueryError):
        store.read("CREATE (n:Division {code: 'read-write-test'}) RETURN n")
    assert store.read("MATCH (n:Division {code: 'read-write-test'}) RETURN n") == []
