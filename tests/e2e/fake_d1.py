"""A tiny fake of the Cloudflare D1 HTTP API, backed by a SQLite file.

Why: ``wrangler d1 ... --remote`` talks to the Cloudflare REST API at
``$CLOUDFLARE_API_BASE_URL``. Pointing it at this fake lets end-to-end tests
exercise the real remote code path offline. Stdlib only. (drizzle-kit's
``d1-http`` driver hard-codes api.cloudflare.com, so it cannot use this.)

Usage::

    with FakeD1(database_id=DB_ID) as d1:
        env = {**os.environ, **d1.wrangler_env()}
        subprocess.run(["npx", "wrangler", "d1", "migrations", "apply",
                        "nanoka-example", "--remote"], env=env, check=True)
        d1.query("select name from d1_migrations")

Endpoints (what wrangler 4.85.0 calls when ``database_id`` is in
wrangler.jsonc and ``CLOUDFLARE_ACCOUNT_ID`` is set):

* ``POST [/client/v4]/accounts/{account}/d1/database/{uuid}/query``
  (``d1 migrations list|apply``, ``d1 execute --command``)
  body ``{"sql": str, "params": [...]}``. ``sql`` may hold several
  statements; like D1, one result object is returned per statement and
  the whole request runs in one transaction (rolled back on error).
  Foreign keys are enforced as on D1: ``PRAGMA foreign_keys=ON`` on the
  connection, so a ``PRAGMA foreign_keys=OFF`` inside a request does nothing.
* ``GET .../d1/database/{uuid}`` (``d1 time-travel info|restore`` check the
  database is not an "alpha" one): ``{"uuid", "name", "version", ...}``;
  ``version`` is ``"alpha"`` when the fake was made with ``time_travel=False``,
  which makes wrangler refuse Time Travel as it would on such a database.
* ``GET .../d1/database/{uuid}/time_travel/bookmark`` (``d1 time-travel
  info``): ``{"bookmark": str}``, a new bookmark that remembers the
  database as it is now.
* ``POST .../d1/database/{uuid}/time_travel/restore?bookmark=...``
  (``d1 time-travel restore``): puts the database back as it was at that
  bookmark; ``{"bookmark", "previous_bookmark", "message"}``.
* ``POST .../d1/database/{uuid}/export`` (``d1 export --remote``), body
  ``{"output_format": "polling", "dump_options": {"no_schema", "no_data",
  "tables"}}``: the dump is made at once, so the first poll answers
  ``{"status": "complete", "result": {"filename", "signed_url"}}``; wrangler
  then downloads the SQL from ``signed_url`` (``GET /_exports/{name}``, plain
  text, served by this fake), as it would from R2. The dump reads like
  D1's: ``PRAGMA defer_foreign_keys=TRUE;``, each table's ``CREATE`` with its
  rows as ``INSERT`` statements, then indexes, triggers and views.

Anything else is logged, recorded in ``.requests`` and answered with
Cloudflare's JSON 404 (code 7003).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

API_PREFIX = "/client/v4"
DEFAULT_ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
DEFAULT_TOKEN = "fake-d1-token"

_DB_PATH_RE = re.compile(r"^/accounts/(?P<account>[^/]+)/d1/database/(?P<db>[^/]+)(?P<rest>/.*)?$")


class D1Error(Exception):
    """A SQL failure, reported in Cloudflare's error shape (code 7500)."""


def split_statements(sql: str) -> list[str]:
    """Split a script into statements, respecting quotes, comments and triggers.

    Why: D1 answers one result per statement; ``sqlite3.complete_statement``
    tells us where a statement really ends, so a ``;`` inside a string or
    a ``CREATE TRIGGER ... BEGIN ...; END`` body doesn't split it.
    """
    statements, current = [], ""
    for piece in sql.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    # The last piece got a spurious ";" appended; keep it only if it is real SQL.
    if current.strip(" \t\r\n;"):
        statements.append(current[:-1])
    return [s for s in statements if _strip_comments(s).strip(" \t\r\n;")]


def _strip_comments(sql: str) -> str:
    """Drop ``--`` and ``/* */`` comments (used only to detect empty statements)."""
    return re.sub(r"--[^\n]*|/\*.*?\*/", "", sql, flags=re.S)


def run_sql(db_path: str, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Execute ``sql`` against ``db_path`` and return D1-style result objects.

    All statements run in one transaction, so a failing migration leaves
    nothing half-applied. ``params`` are bound to the (single) statement.
    """
    statements = split_statements(sql)
    if not statements:
        raise D1Error("No SQL statements detected.")
    if params and len(statements) > 1:
        raise D1Error("params are only supported with a single statement")
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")  # D1 enforces them; a no-op inside the transaction
        conn.execute("BEGIN")
        results = []
        for stmt in statements:
            started = time.perf_counter()
            before = conn.total_changes
            cur = conn.execute(stmt, params or [])
            cols = [d[0] for d in cur.description or ()]
            rows = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
            changes = conn.total_changes - before
            results.append(
                {
                    "results": rows,
                    "success": True,
                    "meta": {
                        "served_by": "fake-d1",
                        "duration": round((time.perf_counter() - started) * 1000, 3),
                        "changes": changes,
                        "last_row_id": cur.lastrowid or 0,
                        "changed_db": changes > 0,
                        "size_after": os.path.getsize(db_path),
                        "rows_read": len(rows),
                        "rows_written": changes,
                    },
                }
            )
        conn.execute("COMMIT")
        return results
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise D1Error(f"{exc}: SQLITE_ERROR") from exc
    finally:
        conn.close()


class FakeD1:
    """A fake D1 REST API on 127.0.0.1 (random port), served from a thread.

    Attributes: ``url`` (API base, ends in ``/client/v4``), ``db_path``
    (the SQLite file; a temp file deleted by ``stop()`` unless given),
    ``requests`` (``{"method", "path", "body", "status"}`` dicts, in
    arrival order), ``account_id``, ``database_id``.
    If ``database_id`` is given, requests for other databases get a 404,
    as do requests for an account other than ``account_id``.
    """

    def __init__(
        self,
        db_path: str | None = None,
        *,
        database_id: str | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        time_travel: bool = True,
    ) -> None:
        self._own_db = db_path is None
        if db_path is None:
            fd, db_path = tempfile.mkstemp(prefix="fake-d1-", suffix=".sqlite")
            os.close(fd)
        self.db_path = db_path
        self.database_id = database_id
        self.account_id = account_id
        self.requests: list[dict[str, Any]] = []
        self.time_travel = time_travel
        self.bookmarks: dict[str, bytes] = {}
        """Bookmark -> the database file's bytes when it was handed out."""
        self.exports: dict[str, str] = {}
        """Export file name -> the SQL dump wrangler downloads from its signed URL."""
        # wrangler caches the account id under node_modules/.cache/wrangler
        # by default; keep that out of the (possibly shared) node_modules.
        self.cache_dir = tempfile.mkdtemp(prefix="fake-d1-wrangler-cache-")
        self._lock = threading.Lock()  # D1 runs one query at a time per database
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> FakeD1:
        """Bind a free port and serve in a daemon thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down; a given ``db_path`` is kept for inspection."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        if self._own_db and os.path.exists(self.db_path):
            os.remove(self.db_path)

    def __enter__(self) -> FakeD1:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Value for ``CLOUDFLARE_API_BASE_URL`` (wrangler appends ``/accounts/...``)."""
        assert self._server is not None, "FakeD1 not started"
        return f"http://127.0.0.1:{self._server.server_port}{API_PREFIX}"

    def wrangler_env(self) -> dict[str, str]:
        """Environment variables that make wrangler ``--remote`` use this fake."""
        return {
            "CLOUDFLARE_API_BASE_URL": self.url,
            "CLOUDFLARE_API_TOKEN": DEFAULT_TOKEN,
            "CLOUDFLARE_ACCOUNT_ID": self.account_id,  # else wrangler asks GET /memberships
            "WRANGLER_CACHE_DIR": self.cache_dir,
            "WRANGLER_SEND_METRICS": "false",
        }

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of the last statement, run directly on the backing file (for asserts)."""
        with self._lock:
            rows: list[dict[str, Any]] = run_sql(self.db_path, sql, params)[-1]["results"]
            return rows

    # -- request handling ------------------------------------------------------
    def _handle(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        """Route one API request; returns (HTTP status, Cloudflare envelope)."""
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX) :]
        path, _, query = path.partition("?")
        if method == "GET" and path.startswith("/_exports/") and path[len("/_exports/") :] in self.exports:
            return 200, {"raw": self.exports[path[len("/_exports/") :]]}
        m = _DB_PATH_RE.match(path)
        if m is not None and m["account"] == self.account_id and self.database_id in (None, m["db"]):
            route = (method, m["rest"] or "")
            if route == ("POST", "/query"):
                return self._query(body)
            if route == ("GET", ""):
                return 200, _envelope(result=self._info(m["db"]))
            if route == ("GET", "/time_travel/bookmark"):
                return 200, _envelope(result={"bookmark": self._bookmark()})
            if route == ("POST", "/time_travel/restore"):
                return self._restore(urllib.parse.parse_qs(query).get("bookmark", [""])[0])
            if route == ("POST", "/export"):
                return self._export(body)
        log.warning("fake D1: unhandled %s %s", method, path)
        return 404, _envelope(
            errors=[
                {
                    "code": 7003,
                    "message": f"Could not route to {path}, perhaps your object identifier is invalid?",
                }
            ]
        )


    def _query(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("sql"), str):
            return 400, _envelope(errors=[{"code": 7400, "message": "Missing 'sql' in body"}])
        try:
            with self._lock:
                return 200, _envelope(result=run_sql(self.db_path, body["sql"], body.get("params")))
        except D1Error as exc:
            return 400, _envelope(errors=[{"code": 7500, "message": str(exc)}])

    def _export(self, body: Any) -> tuple[int, dict[str, Any]]:
        options = body.get("dump_options") if isinstance(body, dict) else None
        if not isinstance(options, dict) or body.get("output_format") != "polling":
            return 400, _envelope(errors=[{"code": 7400, "message": "Expected output_format 'polling'"}])
        with self._lock:
            sql = dump_sql(
                self.db_path,
                no_schema=bool(options.get("no_schema")),
                no_data=bool(options.get("no_data")),
                tables=options.get("tables") or (),
            )
        name = f"fake-d1-export-{uuid.uuid4().hex}.sql"
        self.exports[name] = sql
        base = self.url.removesuffix(API_PREFIX)
        result = {
            "success": True,
            "type": "export",
            "at_bookmark": self._bookmark(),
            "status": "complete",
            "messages": ["Generating fake-d1 export", "Uploaded part 1"],
            "result": {"filename": name, "signed_url": f"{base}/_exports/{name}"},
        }
        return 200, _envelope(result=result)

    def _info(self, uuid: str) -> dict[str, Any]:
        return {
            "uuid": uuid,
            "name": "fake-d1",
            "version": "production" if self.time_travel else "alpha",
            "num_tables": 0,
            "file_size": os.path.getsize(self.db_path) if os.path.exists(self.db_path) else 0,
            "created_at": "2026-01-01T00:00:00.000Z",
        }

    def _bookmark(self) -> str:
        with self._lock:
            bookmark = f"{len(self.bookmarks) + 1:08x}-00000000-00004c6d-{uuid.uuid4().hex}"
            exists = os.path.exists(self.db_path)
            with open(self.db_path, "rb") if exists else io.BytesIO() as f:
                self.bookmarks[bookmark] = f.read()
            return bookmark

    def _restore(self, bookmark: str) -> tuple[int, dict[str, Any]]:
        if bookmark not in self.bookmarks:
            return 400, _envelope(errors=[{"code": 7500, "message": f"Invalid bookmark: {bookmark}"}])
        previous = self._bookmark()
        with self._lock, open(self.db_path, "wb") as f:
            f.write(self.bookmarks[bookmark])
        return 200, _envelope(
            result={"bookmark": bookmark, "previous_bookmark": previous, "message": "Restored"}
        )


def dump_sql(db_path: str, *, no_schema: bool = False, no_data: bool = False, tables: Any = ()) -> str:
    """The database as D1's export writes it (its internal ``_cf_`` and ``sqlite_`` tables left out)."""
    conn = sqlite3.connect(db_path)
    try:
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, name"
        ).fetchall()
        wanted = set(tables or ())
        lines = ["PRAGMA defer_foreign_keys=TRUE;"]
        for kind, name, table, sql in objects:
            if wanted and table not in wanted:
                continue
            if not no_schema:
                lines.append(f"{sql};")
            if kind == "table" and not no_data:
                quoted = '"' + name.replace('"', '""') + '"'
                columns = [row[1] for row in conn.execute(f"PRAGMA table_info({quoted})")]
                selected = ", ".join("quote(\"" + c.replace('"', '""') + "\")" for c in columns)
                for row in conn.execute(f"SELECT {selected} FROM {quoted}"):
                    lines.append(f"INSERT INTO {quoted} VALUES({','.join(row)});")
        return "\n".join(lines)
    finally:
        conn.close()


def _envelope(result: Any = None, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Cloudflare's standard response wrapper."""
    return {"result": result, "success": not errors, "errors": errors or [], "messages": []}


def _make_handler(fake: FakeD1) -> type[BaseHTTPRequestHandler]:
    """Build a request handler class bound to ``fake``."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            status, payload = fake._handle(self.command, self.path, body)
            fake.requests.append({"method": self.command, "path": self.path, "body": body, "status": status})
            raw = isinstance(payload.get("raw"), str)
            data = payload["raw"].encode() if raw else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if raw else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("fake D1: " + format, *args)

    return Handler
