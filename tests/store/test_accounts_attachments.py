"""附件 on the shared database with accounts: a secretary attaches to their own branch's records,
cannot read another branch's files with their own SQL, and the same file is still stored once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from partybuild.services import attachments, recycle
from partybuild.services.attachments import NewFile
from partybuild.services.errors import RecordNotFound
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.pg import PgCluster
from tests.pg_accounts import Park, make_park
from tests.services.test_attachments import pdf_bytes, photo_with_gps


@pytest.fixture(scope="module")
def park(pg_cluster: PgCluster) -> Iterator[Park]:
    yield make_park(pg_cluster)


def first_activity(branch_id: int) -> int:
    return m.Activity.select().where(m.Activity.branch == branch_id, m.live(m.Activity)).first().id


def test_each_secretary_sees_and_adds_only_their_branchs_files(park: Park) -> None:
    photo = photo_with_gps()
    open_database(park.owner_url)
    a_id, b_id = first_activity(park.branch_a_id), first_activity(park.branch_b_id)
    close_database()
    try:
        open_database(park.url("sec_a"))
        [own] = attachments.add("activities", a_id, [NewFile("甲.jpg", photo)]).added
        assert [i.name for i in attachments.listing("activities", a_id)] == ["甲.jpg"]
        assert attachments.counts("activities") == {a_id: 1}
        assert attachments.content(own.id) == photo
        close_database()

        open_database(park.url("sec_b"))
        assert attachments.counts("activities") == {}
        with pytest.raises(RecordNotFound):
            attachments.content(own.id)
        # the same photo for their own meeting: linked to the content already stored
        [theirs] = attachments.add("activities", b_id, [NewFile("乙.jpg", photo)]).added
        assert attachments.content(theirs.id) == photo
        attachments.add("activities", b_id, [NewFile("乙.pdf", pdf_bytes())])
        close_database()
    finally:
        close_database()
    con = park.raw("sec_a")
    try:
        cur = con.cursor()
        cur.execute("SELECT name FROM attachment ORDER BY id")
        assert [r[0] for r in cur.fetchall()] == ["甲.jpg"]
        cur.execute("SELECT count(*) FROM attachment_blob")
        assert cur.fetchone()[0] == 1  # not 乙.pdf's content
        cur.execute("DELETE FROM attachment_blob")
        assert cur.rowcount == 0  # content in use is never cleared, whoever uses it
        con.commit()
    finally:
        con.close()
    open_database(park.owner_url)
    assert m.AttachmentBlob.select().count() == 2 and m.Attachment.select().count() == 3
    close_database()
    # sec_a purges their file: the content stays, 乙 still uses it
    open_database(park.url("sec_a"))
    try:
        attachments.delete(own.id)
        assert recycle.purge_many([("attachments", own.id)]) == 1
    finally:
        close_database()
    open_database(park.owner_url)
    assert m.AttachmentBlob.select().count() == 2 and m.Attachment.select().count() == 2
    assert attachments.content(theirs.id) == photo
    close_database()
