"""Full-field rosters for the benchmarks: the demo ledger plus synthetic members, every column filled.

Building 200,000 members takes a while, so each roster is kept in a cache folder
(``PARTYBUILD_BENCH_CACHE``, default ``~/.cache/partybuild-bench``) under a name that includes the
schema the code writes: a new migration builds a fresh one, a rerun reuses it. Benchmarks copy the
cached file before they write to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

# Bump when the generated values change, so old caches are not reused.
BUILDER_VERSION = 3

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "安华明文强伟芳敏静丽军杰涛超勇艳娟霞平刚辉鹏磊洋勇斌宇浩凯健俊帆帅旭宁龙林欣悦婷雪琳晨佳怡"
POSTS = ["", "", "", "", "支部书记", "支部副书记", "组织委员", "宣传委员", "纪检委员", "党小组长"]
JOBS = ["操作工", "班组长", "技术员", "工程师", "车间主任", "安全员", "质检员", "销售经理", "财务"]
NOTES = ["", "", "流动党员，已报备", "2019年转入", "退伍军人", "技术骨干", "优秀党员（2022）"]


def cache_folder() -> Path:
    folder = Path(os.environ.get("PARTYBUILD_BENCH_CACHE", "~/.cache/partybuild-bench"))
    folder = folder.expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _schema_tag() -> str:
    from partybuild.store.database import MIGRATIONS_DIR

    digest = hashlib.sha1(str(BUILDER_VERSION).encode())
    for path in sorted(MIGRATIONS_DIR.glob("[0-9]*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def roster(members: int) -> Path:
    """The cached roster database with ``members`` members (built on first use).

    It is built in a process of its own: building 50,000 members peaks at about 210 MB, which a
    benchmark that then measures its own peak memory in the same process would count as its own
    (50,000 members once showed 288 MB against 153 MB at 200,000, whose roster was cached)."""
    path = cache_folder() / f"roster-{members}-{_schema_tag()}.sqlite3"
    if not path.exists():
        temp = path.with_suffix(".building")
        temp.unlink(missing_ok=True)
        build_apart(temp, members)
        temp.rename(path)
    return path


def copy_of(members: int, target: Path) -> Path:
    shutil.copyfile(roster(members), target)
    return target


def member_rows(
    count: int, branches: list[int], enterprises: list[int], *, seed: int = 50_000, start: int = 0
) -> list[dict[str, object]]:
    """``count`` valid members with every field filled the way a real roster fills it."""
    from partybuild.domain import vocab
    from partybuild.domain.validators import make_id_number

    rng = random.Random(seed)
    educations = list(vocab.EDUCATION.codes)
    ethnicities = list(vocab.ETHNICITY.codes)[:8]
    now = dt.datetime(2023, 12, 31, 12, 0)
    rows = []
    for n in range(start, start + count):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 15000))
        seq = rng.randrange(0, 1000)
        # Distinct almost always (region × birth date × sequence); build() drops repeats.
        region = f"99{n % 10000:04d}"
        id_number = make_id_number(region, born, seq)
        category = rng.choice(["full", "full", "full", "full", "probationary", "candidate"])
        joined = born.replace(year=min(born.year + 18 + rng.randrange(0, 15), 2022), day=1)
        if joined.year < born.year + 18:  # too young to have joined by the roster's date
            category = "activist"
        confirmed = joined.replace(year=joined.year + 1) if category == "full" else None
        rows.append(
            {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]),
                "gender": "male" if int(id_number[16]) % 2 else "female",
                "ethnicity": rng.choice(ethnicities),
                "birth_date": born,
                "id_number": id_number,
                "education": rng.choice(educations),
                "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                "enterprise": rng.choice(enterprises),
                "branch": rng.choice(branches),
                "category": category,
                "joined_on": joined if category in ("full", "probationary") else None,
                "confirmed_on": confirmed,
                "party_post": rng.choice(POSTS) or None,
                "job_title": rng.choice(JOBS),
                "status": rng.choice(["normal"] * 12 + ["mobile"]),
                "note": rng.choice(NOTES) or None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def build(target: Path | str, members: int) -> None:
    """A roster of ``members`` into an empty SQLite file or PostgreSQL database (a URL)."""
    from partybuild.store.database import close_database, open_database

    fill(open_database(target), members)
    close_database()


def build_apart(target: Path | str, members: int) -> None:
    """:func:`build` in a process of its own (so that its memory is not the caller's)."""
    subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.roster", str(members), str(target)],
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def fill(database: object, members: int) -> None:
    """The demo ledger and synthetic members up to ``members``, into an open, empty database
    (an SQLite file or a PostgreSQL database alike)."""
    from partybuild.services.demo import build_demo
    from partybuild.store import models as m

    build_demo(database)
    branches = [b for (b,) in m.Branch.select(m.Branch.id).tuples()]
    enterprises = [e for (e,) in m.Enterprise.select(m.Enterprise.id).tuples()]
    existing = m.Member.select().count()
    taken = {i for (i,) in m.Member.select(m.Member.id_number).tuples()}
    rows = [
        r
        for r in member_rows(members - existing + 200, branches, enterprises)
        if r["id_number"] not in taken
    ]
    seen: set[object] = set()
    unique = []
    for r in rows:
        if r["id_number"] not in seen:
            seen.add(r["id_number"])
            unique.append(r)
    unique = unique[: members - existing]
    assert len(unique) == members - existing, "not enough distinct ID numbers"
    with database.atomic():
        for i in range(0, len(unique), 5000):
            m.Member.insert_many(unique[i : i + 5000]).execute()
    assert m.Member.select().count() == members
    database.execute_sql("ANALYZE")


if __name__ == "__main__":  # build_apart(): python -m tests.benchmarks.roster MEMBERS PATH|URL
    build(sys.argv[2], int(sys.argv[1]))
