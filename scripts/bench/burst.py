"""A bounded burst against a running incidentmap (issue #13), on loopback only.

At once: 4 geoparse requests of the largest text allowed, 4 imports of the largest size
allowed sent without a token, and 200 idle sockets; meanwhile /health is timed every 20 ms
and the server's resident memory sampled every 20 ms. Everything has a time limit and the
script stops by itself. Prints one JSON object.

    python3 burst.py URL PID GEOPARSE_MAX_BYTES IMPORT_MAX_BYTES
"""

import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

URL, PID = sys.argv[1], int(sys.argv[2])
GEOPARSE_MAX, IMPORT_MAX = int(sys.argv[3]), int(sys.argv[4])
u = urlsplit(URL)
HOST, PORT = u.hostname, u.port
assert HOST in ("127.0.0.1", "localhost", "::1"), "loopback only"


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def request(head: bytes, body_chunks=None, limit=60.0):
    """Sends a request (the body in chunks, stopping if the server answers first) and returns
    (status, seconds, bytes of body sent)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(HOST, PORT)
    sent = 0
    try:
        writer.write(head)
        await writer.drain()
        answer = asyncio.ensure_future(reader.readline())
        if body_chunks is not None:
            for chunk in body_chunks:
                if answer.done():
                    break
                writer.write(chunk)
                try:
                    await asyncio.wait_for(writer.drain(), 5)
                except (ConnectionError, asyncio.TimeoutError):
                    break
                sent += len(chunk)
                # Let the reader see an early answer, as a client that watches for one does.
                await asyncio.sleep(0)
        line = await asyncio.wait_for(answer, limit)
        status = int(line.split()[1]) if line else 0
        # Read the rest so the body's size does not matter to the timing.
        try:
            await asyncio.wait_for(reader.read(-1), limit)
        except (asyncio.TimeoutError, ConnectionError):
            pass
        return status, time.monotonic() - started, sent
    except (ConnectionError, asyncio.TimeoutError, IndexError, ValueError):
        return 0, time.monotonic() - started, sent
    finally:
        writer.close()


async def geoparse():
    text = ("Almaty " * (GEOPARSE_MAX // 7))[:GEOPARSE_MAX].encode()
    head = (
        f"POST /geoparse HTTP/1.1\r\nhost: {HOST}\r\ncontent-type: text/plain\r\n"
        f"content-length: {len(text)}\r\nconnection: close\r\n\r\n"
    ).encode()
    return await request(head, [text])


async def unauthenticated_import():
    chunk = b"id,occurred_at,category,lon,lat\n" + b"x,2022-01-05,protest,50,42\n" * 2400
    n = IMPORT_MAX // len(chunk)
    head = (
        f"POST /collections/incidents/import HTTP/1.1\r\nhost: {HOST}\r\ncontent-type: text/csv\r\n"
        f"content-length: {n * len(chunk)}\r\nconnection: close\r\n\r\n"
    ).encode()
    return await request(head, (chunk for _ in range(n)))


async def idle_sockets(count, hold):
    socks = []
    for _ in range(count):
        try:
            socks.append(await asyncio.open_connection(HOST, PORT))
        except OSError:
            break
    await asyncio.sleep(hold)
    for _, w in socks:
        w.close()
    return len(socks)


async def health_probe(stop):
    times = []
    while not stop.is_set():
        status, secs, _ = await request(
            f"GET /health HTTP/1.1\r\nhost: {HOST}\r\nconnection: close\r\n\r\n".encode(), limit=10
        )
        times.append((status, secs))
        await asyncio.sleep(0.02)
    return times


async def sample_rss(stop, out):
    while not stop.is_set():
        out.append(rss_kib())
        await asyncio.sleep(0.02)


async def main():
    idle = rss_kib()
    stop = asyncio.Event()
    samples = []
    sampler = asyncio.ensure_future(sample_rss(stop, samples))
    probe = asyncio.ensure_future(health_probe(stop))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    results = await asyncio.gather(
        *[geoparse() for _ in range(4)],
        *[unauthenticated_import() for _ in range(4)],
        idle_sockets(200, 3.0),
    )
    burst_secs = time.monotonic() - started
    await asyncio.sleep(0.5)
    stop.set()
    health = await probe
    await sampler
    # Memory after: give the allocator a moment, then the lowest of a few samples.
    after = []
    for _ in range(10):
        after.append(rss_kib())
        await asyncio.sleep(0.2)
    lat = sorted(s for _, s in health)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3
    out = {
        "idle_rss_mib": round(idle / 1024, 1),
        "peak_rss_mib": round(max(samples) / 1024, 1),
        "after_rss_mib": round(min(after) / 1024, 1),
        "peak_over_idle": round(max(samples) / idle, 3),
        "after_over_idle": round(min(after) / idle, 3),
        "burst_seconds": round(burst_secs, 2),
        "geoparse": [{"status": s, "seconds": round(t, 3)} for s, t, _ in results[:4]],
        "imports": [
            {"status": s, "seconds": round(t, 3), "body_mib_sent": round(b / 2**20, 1)}
            for s, t, b in results[4:8]
        ],
        "idle_sockets_opened": results[8],
        "health": {
            "requests": len(lat),
            "errors": sum(1 for st, _ in health if st != 200),
            "p50_ms": round(p(0.50), 2),
            "p99_ms": round(p(0.99), 2),
            "max_ms": round(lat[-1] * 1e3, 2),
        },
    }
    print(json.dumps(out, indent=2))


asyncio.run(asyncio.wait_for(main(), 120))
