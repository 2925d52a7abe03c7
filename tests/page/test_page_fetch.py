"""The safe fetcher against a real HTTP server on 127.0.0.1, and the SSRF suite.

"Public" names resolve (through a test resolver) to 93.184.216.34, and a test network maps
that address to the local server: the fetcher believes it talks to the internet while loopback
stays forbidden, and no packet leaves 127.0.0.1.
"""

from __future__ import annotations

import pytest

from qalxan.domain.errors import BlockedAddressError, FetchError
from qalxan.fetch import SafeFetcher, StaticResolver
from qalxan.fetch.testing import LoopbackNetwork, SequenceResolver

from .support import PUBLIC_IP, LocalServer, Reply


def public_fetcher(server: LocalServer, **kw: object) -> SafeFetcher:
    """Loopback forbidden; 'shop.test' is public and reaches the local server."""
    resolver = kw.pop("resolver", None) or StaticResolver(
        {"shop.test": [PUBLIC_IP], "internal.test": ["10.1.2.3"], "meta.test": ["169.254.169.254"]}
    )
    network = LoopbackNetwork({(PUBLIC_IP, server.port): ("127.0.0.1", server.port)})
    return SafeFetcher(resolver=resolver, network=network, ports=(), **kw)  # type: ignore[arg-type]


def test_fetch_records_chain_status_headers_and_ip(server: LocalServer) -> None:
    server.redirect("/start", "/middle")
    server.redirect("/middle", f"http://shop.test:{server.port}/final", status=301)
    server.page("/final", "<title>ok</title>", **{"X-Kit": "1"})
    result = public_fetcher(server).fetch(f"http://shop.test:{server.port}/start")
    assert result.status == 200
    assert result.final_url == f"http://shop.test:{server.port}/final"
    assert [h.status for h in result.chain] == [302, 301, 200]
    assert result.chain[0].location == f"http://shop.test:{server.port}/middle"
    assert result.server_ip == PUBLIC_IP
    assert ("x-kit", "1") in result.headers
    assert result.text() == "<title>ok</title>"
    assert result.certificate is None  # plain HTTP
    assert server.seen[0]["host"] == f"shop.test:{server.port}"  # Host keeps the name


def test_cookies_are_never_sent_back(server: LocalServer) -> None:
    server.redirect("/a", "/b", **{"Set-Cookie": "session=stolen; Path=/"})
    server.page("/b", "x")
    public_fetcher(server).fetch(f"http://shop.test:{server.port}/a")
    assert "cookie" not in server.seen[1]


def test_gzip_is_decoded(server: LocalServer) -> None:
    server.gzip_page("/z", "<p>" + "a" * 5000 + "</p>")
    result = public_fetcher(server).fetch(f"http://shop.test:{server.port}/z")
    assert result.text().startswith("<p>aaa") and len(result.body) == 5007


# --- SSRF: every one of these is refused when loopback is not allowed -----------------------

SSRF_TARGETS = [
    "http://127.0.0.1/",
    "http://localhost.test/",  # resolves to 127.0.0.1 below
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::1]/",
    "http://[fd00:ec2::254]/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://internal.test/",
    "http://meta.test/",
]


@pytest.mark.parametrize("target", SSRF_TARGETS)
def test_direct_ssrf_targets_are_refused(server: LocalServer, target: str) -> None:
    resolver = StaticResolver(
        {
            "localhost.test": ["127.0.0.1"],
            "internal.test": ["10.1.2.3"],
            "meta.test": ["169.254.169.254"],
        }
    )
    fetcher = public_fetcher(server, resolver=resolver)
    with pytest.raises(BlockedAddressError):
        fetcher.fetch(target)
    assert fetcher.network is not None
    assert fetcher.network.connected == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", SSRF_TARGETS)
def test_redirects_to_ssrf_targets_are_refused(server: LocalServer, target: str) -> None:
    server.redirect("/go", target)
    resolver = StaticResolver(
        {
            "shop.test": [PUBLIC_IP],
            "localhost.test": ["127.0.0.1"],
            "internal.test": ["10.1.2.3"],
            "meta.test": ["169.254.169.254"],
        }
    )
    fetcher = public_fetcher(server, resolver=resolver)
    with pytest.raises(BlockedAddressError):
        fetcher.fetch(f"http://shop.test:{server.port}/go")
    assert [s["path"] for s in server.seen] == ["/go"]  # the target was never reached


def test_name_with_one_private_address_among_public_ones_is_refused(server: LocalServer) -> None:
    resolver = StaticResolver({"mixed.test": [PUBLIC_IP, "10.0.0.1"]})
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.1"):
        public_fetcher(server, resolver=resolver).fetch(f"http://mixed.test:{server.port}/")


def test_dns_rebinding_cannot_swap_the_address(server: LocalServer) -> None:
    """The name resolves to a public address, then to a private one: the connection goes to
    the vetted address, and the second answer is refused at the next hop."""
    server.redirect("/r", "/again")
    resolver = SequenceResolver({"rebind.test": [[PUBLIC_IP], ["10.0.0.1"]]})
    fetcher = public_fetcher(server, resolver=resolver)
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.1"):
        fetcher.fetch(f"http://rebind.test:{server.port}/r")
    assert fetcher.network.connected == [(PUBLIC_IP, server.port)]  # type: ignore[union-attr]
    assert resolver.calls["rebind.test"] == 2


def test_loopback_allowed_only_by_the_setting(server: LocalServer) -> None:
    server.page("/", "hello")
    with pytest.raises(BlockedAddressError):
        SafeFetcher().fetch(server.url("/"))
    assert SafeFetcher(allow_loopback=True).fetch(server.url("/")).text() == "hello"
    # Odd spellings of loopback reach the same server once loopback is allowed.
    assert SafeFetcher(allow_loopback=True).fetch(f"http://2130706433:{server.port}/").status == 200


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "ftp://example.com/", "x"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError):
        SafeFetcher(allow_loopback=True).fetch(url)


def test_ports_are_limited(server: LocalServer) -> None:
    fetcher = public_fetcher(server)
    fetcher.ports = (80, 443)
    with pytest.raises(BlockedAddressError, match="port"):
        fetcher.fetch(f"http://shop.test:{server.port}/")


# --- limits ---------------------------------------------------------------------------------


def test_size_limit_with_content_length(server: LocalServer) -> None:
    server.page("/big", "a" * 20_000)
    with pytest.raises(FetchError, match="larger than 10000"):
        public_fetcher(server, max_bytes=10_000).fetch(f"http://shop.test:{server.port}/big")


def test_size_limit_when_streamed(server: LocalServer) -> None:
    body = b"b" * 300_000
    server.routes["/chunked"] = lambda _h: Reply(200, body, {"Content-Type": "text/html"}, True)
    with pytest.raises(FetchError, match="larger than 100000"):
        public_fetcher(server, max_bytes=100_000).fetch(f"http://shop.test:{server.port}/chunked")
    ok = public_fetcher(server, max_bytes=400_000).fetch(f"http://shop.test:{server.port}/chunked")
    assert len(ok.body) == 300_000


def test_gzip_bomb_is_refused(server: LocalServer) -> None:
    server.gzip_page("/bomb", "0" * 2_000_000)
    with pytest.raises(FetchError, match="once decoded"):
        public_fetcher(server, max_bytes=100_000).fetch(f"http://shop.test:{server.port}/bomb")


def test_redirect_limit(server: LocalServer) -> None:
    for i in range(11):
        server.redirect(f"/a{i}", f"/a{i + 1}")
    server.page("/a11", "eleven")
    for i in range(10):
        server.redirect(f"/b{i}", f"/b{i + 1}")
    server.page("/b10", "ten")
    base = f"http://shop.test:{server.port}"
    assert public_fetcher(server).fetch(base + "/b0").text() == "ten"  # 10 redirects: fine
    with pytest.raises(FetchError, match="more than 10 redirects"):
        public_fetcher(server).fetch(base + "/a0")  # 11 redirects: refused


def test_time_limit(server: LocalServer) -> None:
    server.routes["/slow"] = lambda _h: Reply(200, b"late", {}, delay=2.0)
    with pytest.raises(FetchError, match="time limit"):
        public_fetcher(server, timeout_s=0.5).fetch(f"http://shop.test:{server.port}/slow")


def test_international_names_are_pinned_by_punycode(server: LocalServer) -> None:
    server.page("/", "idn")
    resolver = StaticResolver({"xn--kapitalbnk-6qi.az": [PUBLIC_IP]})
    network = LoopbackNetwork({(PUBLIC_IP, server.port): ("127.0.0.1", server.port)})
    fetcher = SafeFetcher(resolver=resolver, network=network, ports=())
    assert fetcher.fetch(f"http://kapitalbаnk.az:{server.port}/").text() == "idn"
    assert server.seen[0]["host"] == f"xn--kapitalbnk-6qi.az:{server.port}"


def test_charset_from_meta_when_the_header_is_silent(server: LocalServer) -> None:
    html = '<meta charset="windows-1251"><p>Получить оплату</p>'
    server.routes["/cp"] = lambda _h: Reply(
        200, html.encode("cp1251"), {"Content-Type": "text/html"}
    )
    result = public_fetcher(server).fetch(f"http://shop.test:{server.port}/cp")
    assert "Получить оплату" in result.text()
