"""Full-text matching over cases' folded text (migration 0003), with the library's
query rules: words folded (no diacritics), all must match, the last one as a prefix,
quoted text as a phrase (library.search.parse)."""

from django.db import connection
from django.db.models.expressions import RawSQL

from library.search import match_condition, parse


def matching(queryset, q: str):
    """`queryset` narrowed to the cases whose text matches `q` (unchanged when `q` has no words)."""
    terms = parse(q)
    if not terms:
        return queryset
    condition, params = match_condition(terms, connection.vendor, fts5_table="petitions_case_fts",
                                        vector_column="search")
    if connection.vendor == "postgresql":
        ids = RawSQL(f"SELECT id FROM petitions_case WHERE {condition}", params)
    else:
        ids = RawSQL(f"SELECT rowid FROM petitions_case_fts WHERE {condition}", params)
    return queryset.filter(pk__in=ids)
