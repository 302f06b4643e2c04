"""Migration 0005 on a register that already holds cases: every case that is or was a denunciation
becomes protected (the kind, or the audit trail of its intake or classification), the second
person key is filled, and SQLite's full-text triggers survive the table rebuild."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("petitions", "0004_answers_recent_index")]

pytestmark = pytest.mark.django_db(transaction=True)


def _case(Case, code, kind, subject):
    return Case.objects.create(tracking_code=code, kind=kind, source="web", subject=subject, content=subject * 3,
                               folded=subject.lower(), received_at=timezone.now())


def test_existing_denunciations_and_former_ones_become_protected():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Case, Identity = old.get_model("petitions", "Case"), old.get_model("petitions", "Identity")
    from audit.models import AuditRecord  # unchanged by these migrations
    denunciation = _case(Case, "AAAA-AAAA-AAAA", "denunciation", "to cao truong thon thu tien")
    former = _case(Case, "BBBB-BBBB-BBBB", "petition", "kien nghi ve nha van hoa")  # received as a denunciation
    plain = _case(Case, "CCCC-CCCC-CCCC", "petition", "kien nghi sua duong lien thon")
    AuditRecord.objects.create(action="petitions.submit", detail={"case": former.pk, "kind": "denunciation"})
    AuditRecord.objects.create(action="petitions.classify", detail={"case": former.pk, "kind": "petition"})
    AuditRecord.objects.create(action="petitions.submit", detail={"case": plain.pk, "kind": "petition"})
    Identity.objects.create(case=plain, full_name="Lê Văn Tám", phone="0912 345 678", email="tam@example.vn",
                            person_key="le van tam|0912345678")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from petitions.models import Case as NewCase
    from petitions.models import Identity as NewIdentity
    from petitions.search import matching

    protected = dict(NewCase.objects.values_list("tracking_code", "identity_protected"))
    assert protected == {"AAAA-AAAA-AAAA": True, "BBBB-BBBB-BBBB": True, "CCCC-CCCC-CCCC": False}
    assert NewIdentity.objects.get(case_id=plain.pk).person_key_alt == "le van tam|tam@example.vn"
    # The full-text index still follows every change (SQLite: triggers created again after the rebuild).
    NewCase.objects.filter(pk=plain.pk).update(folded="kien nghi lam cau treo khuon he")
    assert list(matching(NewCase.objects.all(), "khuon he").values_list("pk", flat=True)) == [plain.pk]
