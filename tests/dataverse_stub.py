"""A loopback stand-in for the two Dataverse routes ``analysis.download`` uses, for tests only.

``GET /api/datasets/:persistentId/?persistentId=DOI`` answers with the JSON of the native API, and
``GET /api/access/datafile/ID`` with the file's bytes, honouring ``Range: bytes=N-`` (206, or 416 past the end)
unless told to ignore it. Everything runs on 127.0.0.1 in a thread; nothing leaves the machine.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"}


@dataclasses.dataclass
class StubFile:
    """A file of the stub dataset.

    ``checksum`` overrides the listed checksum (a wrong one tests verification). An ``ingested`` file is
    listed as Dataverse lists a tabular file it ingested (``NAME.tab`` with ``originalFileName``), and its
    bytes are served only with ``?format=original``; without it the server sends ``archival`` instead.
    """

    id: int
    name: str
    data: bytes
    checksum_type: str = "MD5"
    checksum: str | None = None
    ingested: bool = False
    archival: bytes = b"archival copy\n"

    def entry(self) -> dict:
        value = self.checksum or hashlib.new(_ALGORITHMS[self.checksum_type], self.data).hexdigest()
        data = {"id": self.id, "filename": self.name, "filesize": len(self.data), "contentType": "application/x-tar",
                "checksum": {"type": self.checksum_type, "value": value}}
        if self.ingested:
            stem = self.name.rsplit(".", 1)[0]
            data.update(filename=f"{stem}.tab", filesize=len(self.archival), tabularData=True,
                        originalFileFormat="text/tab-separated-values", originalFileName=self.name,
                        originalFileSize=len(self.data))
        return {"label": data["filename"], "restricted": False, "dataFile": data}


class DataverseStub:
    """``with DataverseStub(doi, files) as stub:`` serves them on ``stub.url``.

    Attributes
    ----------
    requests : list of (path, range header or None)
        Every request received, in order.
    served : dict of id -> bytes sent
    honour_range : bool
        False makes the server answer a Range request with the whole file (200), as some servers do.
    cut_after : dict of id -> n
        The first response for that file stops after ``n`` bytes of its body and closes the connection.
    redirect : bool
        Answer ``/api/access/datafile/ID`` with a 303 to ``/store/ID`` (as Harvard Dataverse sends downloads
        to its object store), which serves the bytes.
    """

    def __init__(self, doi: str, files: list[StubFile], *, honour_range: bool = True, redirect: bool = False):
        self.doi, self.files = doi, {f.id: f for f in files}
        self.honour_range, self.redirect = honour_range, redirect
        self.cut_after: dict[int, int] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.served: dict[int, int] = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                stub.requests.append((self.path, self.headers.get("Range")))
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                if url.path == "/api/datasets/:persistentId/":
                    if query.get("persistentId") != [stub.doi]:
                        return self._json(404, {"status": "ERROR", "message": "Dataset not found."})
                    return self._json(200, {"status": "OK", "data": {"latestVersion": {
                        "versionNumber": 1, "versionMinorNumber": 0, "license": {"name": "CC0 1.0"},
                        "files": [f.entry() for f in stub.files.values()]}}})
                match = re.fullmatch(r"/(?:api/access/datafile|store)/(\d+)", url.path)
                if not match or int(match.group(1)) not in stub.files:
                    return self._json(404, {"status": "ERROR", "message": "File not found."})
                if stub.redirect and url.path.startswith("/api/"):
                    self.send_response(303)
                    self.send_header("Location", f"/store/{match.group(1)}{'?' + url.query if url.query else ''}")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                file = stub.files[int(match.group(1))]
                data = file.data if not file.ingested or query.get("format") == ["original"] else file.archival
                start = 0
                asked = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                if asked and stub.honour_range:
                    start = int(asked.group(1))
                    if start >= len(data):
                        return self._json(416, {"status": "ERROR", "message": "Range not satisfiable."})
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = stub.cut_after.pop(file.id, None)
                sent = body if cut is None else body[:cut]
                # Counted before sending: the client may check the count as soon as it has the last byte.
                stub.served[file.id] = stub.served.get(file.id, 0) + len(sent)
                self.wfile.write(sent)
                if cut is not None:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _json(self, code: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)

    def file_requests(self, file_id: int) -> list[str | None]:
        """The Range header of each request for one file (``None``: no Range)."""
        routes = {f"/api/access/datafile/{file_id}", f"/store/{file_id}"}
        return [rng for path, rng in self.requests if urllib.parse.urlsplit(path).path in routes
                and not (self.redirect and path.startswith("/api/"))]

    def __enter__(self) -> "DataverseStub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
