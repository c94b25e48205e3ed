#!/usr/bin/env python3
"""What storing a tracked page view costs SQLite itself, with no HTTP and no .NET in the way.

The tracking tables and indexes as the server creates them (WAL, synchronous=FULL), 10,000 visitors with a
visit each, then batches of page views doing what the tracking writer does per batch: look the batch's
visitors and visits up, update each visit row (and, with --visitor-update, each visitor row as the writer
did before 2026-12-03), insert the event, commit. Prints the time per page view by step and the WAL pages
each commit wrote. --no-visit-update and --no-visitor-index leave out what an append-only write path would
not do. See docs/benchmarks.md and docs/decisions/0016 and 0018.

    python3 bench/tracking-storage-floor.py [--events 100000] [--batch 500] [--visitor-update] [--no-visit-update] [--no-visitor-index]
"""
import argparse
import itertools
import os
import random
import sqlite3
import tempfile
import time
import uuid

SCHEMA = [
    'CREATE TABLE "Inboxes" ("Id" TEXT NOT NULL PRIMARY KEY)',
    '''CREATE TABLE "TrackedEvents" ("Id" TEXT NOT NULL PRIMARY KEY, "WorkspaceId" TEXT NOT NULL, "InboxId" TEXT NOT NULL,
        "VisitorKey" TEXT NOT NULL, "SessionKey" TEXT NOT NULL, "Type" TEXT NOT NULL, "Name" TEXT NULL, "Url" TEXT NULL,
        "Title" TEXT NULL, "Referrer" TEXT NULL, "UtmSource" TEXT NULL, "UtmMedium" TEXT NULL, "UtmCampaign" TEXT NULL,
        "UtmTerm" TEXT NULL, "UtmContent" TEXT NULL, "Screen" TEXT NULL, "Language" TEXT NULL, "TimeZone" TEXT NULL,
        "Browser" TEXT NOT NULL, "Os" TEXT NOT NULL, "Device" TEXT NOT NULL, "DurationMs" INTEGER NULL,
        "Properties" TEXT NOT NULL, "ReceivedAt" TEXT NOT NULL,
        FOREIGN KEY ("InboxId") REFERENCES "Inboxes" ("Id") ON DELETE CASCADE)''',
    'CREATE INDEX "IX_TrackedEvents_InboxId_ReceivedAt" ON "TrackedEvents" ("InboxId", "ReceivedAt")',
    'CREATE INDEX "IX_TrackedEvents_InboxId_VisitorKey_ReceivedAt" ON "TrackedEvents" ("InboxId", "VisitorKey", "ReceivedAt")',
    '''CREATE TABLE "TrackedVisitors" ("Id" TEXT NOT NULL PRIMARY KEY, "WorkspaceId" TEXT NOT NULL, "InboxId" TEXT NOT NULL,
        "VisitorKey" TEXT NOT NULL, "ContactId" TEXT NULL, "FirstSeenAt" TEXT NOT NULL, "LatestVisitAt" TEXT NOT NULL,
        "Visits" INTEGER NOT NULL, "FirstReferrer" TEXT NULL, "FirstUtmSource" TEXT NULL, "FirstUtmCampaign" TEXT NULL,
        FOREIGN KEY ("InboxId") REFERENCES "Inboxes" ("Id") ON DELETE CASCADE)''',
    'CREATE INDEX "IX_TrackedVisitors_ContactId" ON "TrackedVisitors" ("ContactId")',
    'CREATE UNIQUE INDEX "IX_TrackedVisitors_InboxId_VisitorKey" ON "TrackedVisitors" ("InboxId", "VisitorKey")',
    '''CREATE TABLE "TrackedSessions" ("Id" TEXT NOT NULL PRIMARY KEY, "WorkspaceId" TEXT NOT NULL, "InboxId" TEXT NOT NULL,
        "VisitorKey" TEXT NOT NULL, "SessionKey" TEXT NOT NULL, "StartedAt" TEXT NOT NULL, "LastSeenAt" TEXT NOT NULL,
        "EntryUrl" TEXT NULL, "ExitUrl" TEXT NULL, "PageViews" INTEGER NOT NULL, "CustomEvents" INTEGER NOT NULL,
        "IsReturning" INTEGER NOT NULL, "Referrer" TEXT NULL, "UtmSource" TEXT NULL, "UtmMedium" TEXT NULL,
        "UtmCampaign" TEXT NULL, "Browser" TEXT NOT NULL, "Os" TEXT NOT NULL, "Device" TEXT NOT NULL, "Country" TEXT NULL,
        "IpAddress" TEXT NULL, FOREIGN KEY ("InboxId") REFERENCES "Inboxes" ("Id") ON DELETE CASCADE)''',
    'CREATE UNIQUE INDEX "IX_TrackedSessions_InboxId_SessionKey" ON "TrackedSessions" ("InboxId", "SessionKey")',
    'CREATE INDEX "IX_TrackedSessions_InboxId_StartedAt" ON "TrackedSessions" ("InboxId", "StartedAt")',
    'CREATE INDEX "IX_TrackedSessions_InboxId_VisitorKey_StartedAt" ON "TrackedSessions" ("InboxId", "VisitorKey", "StartedAt")',
]

VISITORS = 10_000


def wal_frames(path):
    """The WAL's last valid frame (mxFrame in the shared WAL index header): it grows by the pages each commit writes."""
    with open(path + "-shm", "rb") as shm:
        shm.seek(16)
        return int.from_bytes(shm.read(4), "little")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--visitor-update", action="store_true")
    parser.add_argument("--no-visitor-index", action="store_true")
    parser.add_argument("--no-visit-update", action="store_true")
    options = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="porchlight-floor-")
    path = os.path.join(directory, "floor.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    for statement in SCHEMA:
        if options.no_visitor_index and "InboxId_VisitorKey_ReceivedAt" in statement:
            continue
        db.execute(statement)

    inbox, workspace = str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper()
    ids = itertools.count()
    # Time-ordered, as the server's ids are: appended at the end of the primary key's index.
    next_id = lambda: "%016X-%012d" % (time.time_ns(), next(ids))
    now = lambda: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()) + ".%06d" % (time.time_ns() // 1000 % 1_000_000)
    db.execute('INSERT INTO "Inboxes" VALUES (?)', (inbox,))
    db.execute("BEGIN")
    for v in range(VISITORS):
        db.execute('INSERT INTO "TrackedVisitors" VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                   (next_id(), workspace, inbox, f"visitor-{v}", None, now(), now(), 1, None, None, None))
        db.execute('INSERT INTO "TrackedSessions" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
                   (next_id(), workspace, inbox, f"visitor-{v}", f"visit-{v}", now(), now(), "https://shop.example/",
                    "https://shop.example/", 1, 0, 0, None, None, None, None, "Chrome", "Windows", "Desktop", None, None))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    spent = dict(lookup=0.0, visitor=0.0, visit=0.0, insert=0.0, commit=0.0)
    frames = 0
    batches = options.events // options.batch
    started = time.perf_counter()
    for _ in range(batches):
        visitors = [random.randrange(VISITORS) for _ in range(options.batch)]
        db.execute("BEGIN IMMEDIATE")
        mark = time.perf_counter()
        marks = ",".join("?" * len(visitors))
        list(db.execute(f'SELECT * FROM "TrackedVisitors" WHERE "InboxId" = ? AND "VisitorKey" IN ({marks})', [inbox] + [f"visitor-{v}" for v in visitors]))
        list(db.execute(f'SELECT * FROM "TrackedSessions" WHERE "InboxId" = ? AND "SessionKey" IN ({marks})', [inbox] + [f"visit-{v}" for v in visitors]))
        spent["lookup"] += time.perf_counter() - mark
        for v in visitors:
            at, page = now(), f"https://shop.example/products/item-{random.randrange(200)}"
            mark = time.perf_counter()
            if options.visitor_update:
                db.execute('UPDATE "TrackedVisitors" SET "LatestVisitAt" = ? WHERE "InboxId" = ? AND "VisitorKey" = ?', (at, inbox, f"visitor-{v}"))
            spent["visitor"] += time.perf_counter() - mark
            mark = time.perf_counter()
            if not options.no_visit_update:
                db.execute('UPDATE "TrackedSessions" SET "LastSeenAt" = ?, "ExitUrl" = ?, "PageViews" = "PageViews" + 1 WHERE "InboxId" = ? AND "SessionKey" = ?',
                           (at, page, inbox, f"visit-{v}"))
            spent["visit"] += time.perf_counter() - mark
            mark = time.perf_counter()
            db.execute('INSERT INTO "TrackedEvents" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
                       (next_id(), workspace, inbox, f"visitor-{v}", f"visit-{v}", "PageView", None, page, "Item – Acme Outdoor",
                        "https://www.search.example/", "newsletter", None, "winter-sale", None, None, "1920x1080", "de-DE",
                        "Europe/Berlin", "Chrome", "Windows", "Desktop", None, "{}", at))
            spent["insert"] += time.perf_counter() - mark
        before = wal_frames(path)
        mark = time.perf_counter()
        db.execute("COMMIT")
        spent["commit"] += time.perf_counter() - mark
        after = wal_frames(path)
        # After a checkpoint the WAL starts over from its first frame.
        frames += after - before if after >= before else after
    elapsed = time.perf_counter() - started
    events = batches * options.batch
    print(f"{events / elapsed:,.0f} page views/s, {elapsed / events * 1e6:.1f} µs each: "
          + ", ".join(f"{step} {seconds / events * 1e6:.1f} µs" for step, seconds in spent.items()))
    print(f"WAL pages written per page view: {frames / events:.2f} ({frames / batches:,.0f} a commit)")
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    os.rmdir(directory)


if __name__ == "__main__":
    main()
