"""Wait until a Neo4j server answers over Bolt, then report its version and GDS.

Used by start.sh; prints ``key=value`` lines on stdout (neo4j_version, edition,
gds_version, gds_procedures, gds_error) and progress on stderr.

    python probe.py bolt://127.0.0.1:7687 neo4j secret --timeout 90 --pid 1234
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable


def _alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_for_bolt(uri: str, auth: tuple[str, str], timeout: float, pid: int | None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not _alive(pid):
            raise SystemExit(f"Neo4j (pid {pid}) exited before Bolt answered")
        try:
            with GraphDatabase.driver(uri, auth=auth, connection_timeout=2) as driver:
                driver.execute_query("RETURN 1 AS ok")
            return
        except AuthError as exc:  # the server is up, the password is wrong: waiting won't help
            raise SystemExit(f"Bolt answered but refused the credentials: {exc}") from exc
        except (ServiceUnavailable, OSError, Neo4jError) as exc:
            last = exc
            time.sleep(0.5)
    raise SystemExit(f"Bolt did not answer at {uri} within {timeout:.0f} s (last error: {last})")


def report(uri: str, auth: tuple[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    with GraphDatabase.driver(uri, auth=auth) as driver:
        rec = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition "
            "WHERE name = 'Neo4j Kernel' RETURN versions[0] AS version, edition"
        ).records[0]
        out["neo4j_version"] = rec["version"]
        out["edition"] = rec["edition"]
        try:
            out["gds_version"] = driver.execute_query(
                "CALL gds.version() YIELD gdsVersion RETURN gdsVersion"
            ).records[0]["gdsVersion"]
            out["gds_procedures"] = str(
                driver.execute_query(
                    "SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'gds.' RETURN count(*) AS n"
                ).records[0]["n"]
            )
        except Neo4jError as exc:
            out["gds_version"] = ""
            out["gds_error"] = (exc.message or str(exc)).replace("\n", " ")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("uri")
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--timeout", type=float, default=90.0)
    parser.add_argument("--pid", type=int)
    args = parser.parse_args()
    auth = (args.user, args.password)
    wait_for_bolt(args.uri, auth, args.timeout, args.pid)
    for key, value in report(args.uri, auth).items():
        print(f"{key}={value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
