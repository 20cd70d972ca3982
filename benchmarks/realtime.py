"""The realtime delay end to end: an entry is published on a loopback feed, a real
`digestbot run` process polls it, builds the realtime digest and sends it through the Bot API
emulator's HTTP server; the delay is publish → message in the subscriber's chat.

    .venv/bin/python benchmarks/realtime.py                     # 4 entries, 137 s apart
    .venv/bin/python benchmarks/realtime.py --entries 2 --gap 60 --feed-min-interval 30s

Entries are published at staggered moments (the gap shares no factor with the minute-long
ticks or the five-minute realtime batch), so they land at different phases of the polling and
of the batch: the largest delay seen approaches the worst case. Settings are the defaults
except the ones printed. Prints one line per entry, then the key=value summary line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from storage.types import utcnow  # noqa: E402
from telegram_emulator import ApiLimits, Emulator  # noqa: E402

TOKEN = "777000:REALTIME-BENCH"
ADMIN = 5001
READER = 5002
TOPIC = "ferry"
# Distinct stories (near-duplicates would be folded into one story and sent once).
STORIES = [
    (
        "Night ferry to the islands resumes after storm repairs",
        "The overnight ferry between the mainland port and the northern islands sails again "
        "on Friday after three weeks of repairs to its damaged bow door, the operator said.",
    ),
    (
        "Electric ferry fleet doubles as harbour adds charging berths",
        "Two new charging berths let the city run six battery ferries across the river, "
        "cutting diesel use on the busiest commuter line by half, transport officials said.",
    ),
    (
        "Ferry fares frozen for students until the end of next year",
        "Regional lawmakers voted to keep student tickets on the lake ferry at last year's "
        "price, funded by a small levy on cruise ship landings in the old harbour.",
    ),
    (
        "Historic paddle ferry returns to service after museum restoration",
        "Volunteers spent four years rebuilding the wooden paddle steamer, which will carry "
        "visitors across the estuary on summer weekends from June.",
    ),
    (
        "Strike halts ferry crossings on the southern route for two days",
        "Crews walked out over rota changes, stranding freight lorries at both terminals "
        "while unions and the shipping line met mediators in the capital.",
    ),
    (
        "Ferry terminal gets flood barrier after record spring tides",
        "Engineers finished a movable barrier that shields the passenger terminal and its "
        "car ramps from surges, after tides flooded the ticket hall twice last year.",
    ),
]


class Feed:
    """The loopback feed: RSS with the entries published so far."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []  # (guid, title, text)
        self.published: dict[str, float] = {}  # title → monotonic publish time
        self.requests = 0

    def publish(self, index: int) -> str:
        title, text = STORIES[index % len(STORIES)]
        self.entries.append((f"bench-{index}", title, text))
        self.published[title] = time.monotonic()
        return title

    async def handle(self, _request: web.Request) -> web.Response:
        self.requests += 1
        now = format_datetime(utcnow())
        items = "".join(
            f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<link>http://127.0.0.1/news/{guid}</link><pubDate>{now}</pubDate>"
            f"<description>{text}</description></item>"
            for guid, title, text in reversed(self.entries)
        )
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Wire</title>'
            f"<link>http://127.0.0.1/</link>{items}</channel></rss>"
        )
        return web.Response(text=body, content_type="application/rss+xml")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=4)
    parser.add_argument("--gap", type=float, default=137.0, help="seconds between entries")
    parser.add_argument("--feed-min-interval", default="1m")
    parser.add_argument("--ingest-interval", type=float, default=60.0)
    parser.add_argument("--digest-interval", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=900.0, help="per entry, seconds")
    args = parser.parse_args()
    task = asyncio.current_task()
    assert task is not None  # SIGTERM cancels the run, so the bot process is stopped too
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)

    feed = Feed()
    app = web.Application()
    app.router.add_get("/feed.xml", feed.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    emulator = Emulator(token=TOKEN, limits=ApiLimits(enabled=False))
    delays: list[float] = []
    with tempfile.TemporaryDirectory(prefix="digestbot-realtime-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "DIGESTBOT_DATABASE_URL": f"sqlite:///{tmp}/bot.db",
                "DIGESTBOT_ADMIN_IDS": str(ADMIN),
                "DIGESTBOT_ALLOW_PRIVATE_URLS": "true",  # the feed is on loopback
                "DIGESTBOT_FEED_MIN_INTERVAL": args.feed_min_interval,
                "DIGESTBOT_INGEST_INTERVAL": str(args.ingest_interval),
                "DIGESTBOT_DIGEST_INTERVAL": str(args.digest_interval),
                "DIGESTBOT_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
            }
        )
        async with emulator.serve() as url:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "from bot.cli import main; main()",
                "run",
                "--base-url",
                f"{url}/bot",
                cwd=tmp,
                env=env,
            )
            try:
                admin, reader = emulator.user(ADMIN), emulator.user(READER)
                admin.send(f"/addfeed http://127.0.0.1:{port}/feed.xml")
                await emulator.wait_for_messages(ADMIN, 1, timeout=120)
                for n, command in enumerate(
                    ("/start", f"/subscribe {TOPIC}", "/schedule realtime"), start=1
                ):
                    reader.send(command)
                    await emulator.wait_for_messages(READER, n, timeout=60)
                # the first poll (the feed is still empty) sets the realtime pace
                await emulator.wait_for(lambda: feed.requests >= 2, timeout=300)
                start = time.monotonic()
                for index in range(args.entries):
                    await asyncio.sleep(max(0.0, start + index * args.gap - time.monotonic()))
                    title = feed.publish(index)
                    print(f"published entry={index} title={title!r}", flush=True)
                    delays.append(await arrival(emulator, title, feed, limit=args.timeout))
                    print(f"delivered entry={index} delay_s={delays[-1]:.1f}", flush=True)
            finally:
                process.terminate()
                await process.wait()
    await runner.cleanup()
    print(
        f"entries={len(delays)} realtime_delay_max_s={max(delays):.1f} "
        f"realtime_delay_mean_s={sum(delays) / len(delays):.1f} "
        f"feed_min_interval={args.feed_min_interval} ingest_interval_s={args.ingest_interval:g} "
        f"digest_interval_s={args.digest_interval:g} feed_polls={feed.requests}"
    )


async def arrival(emulator: Emulator, title: str, feed: Feed, *, limit: float) -> float:
    """Seconds from publishing `title` to a message in the reader's chat that names it (the
    emulator wakes its waiters on every message, so this is timed to the message)."""

    def arrived() -> bool:
        return any(title in (m.text or "") for m in emulator.chat(READER).messages)

    try:
        await emulator.wait_for(arrived, timeout=limit)
    except TimeoutError:
        raise SystemExit(f"entry {title!r} did not arrive within {limit:g} s") from None
    return time.monotonic() - feed.published[title]


if __name__ == "__main__":
    asyncio.run(main())
