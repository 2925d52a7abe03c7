"""HTTPS through the pinned transport: SNI and certificate checks use the name, the connection
goes to the vetted address, and the certificate is recorded (issuer, validity, SANs)."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from qalxan.domain.errors import FetchError
from qalxan.fetch import SafeFetcher, StaticResolver


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=shop.test/O=Qalxan Test CA",
         "-addext", "subjectAltName=DNS:shop.test,DNS:www.shop.test",
         "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"host={self.headers.get('Host')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], cert
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_certificate_is_recorded(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    fetcher = SafeFetcher(
        resolver=StaticResolver({"shop.test": ["127.0.0.1"]}),
        allow_loopback=True,
        ca_file=str(cert),
    )
    result = fetcher.fetch(f"https://shop.test:{port}/")
    assert result.text() == f"host=shop.test:{port}"
    assert result.certificate is not None
    assert "Qalxan Test CA" in result.certificate.issuer
    assert result.certificate.sans == ("DNS:shop.test", "DNS:www.shop.test")
    assert result.certificate.not_after
    assert result.to_dict()["certificate"]["subject"].startswith("commonName=shop.test")


def test_certificate_name_is_checked(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    fetcher = SafeFetcher(
        resolver=StaticResolver({"other.test": ["127.0.0.1"]}),
        allow_loopback=True,
        ca_file=str(cert),
    )
    with pytest.raises(FetchError):
        fetcher.fetch(f"https://other.test:{port}/")  # the certificate is for shop.test
