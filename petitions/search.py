"""Full-text matching over cases' folded text (migration 0003), with the library's
query rules: words folded (no diacritics), all must match, the last one as a prefix,
quoted text as a phrase (library.search.parse)."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from library.search import match_condition, parse


def matching(queryset, q: str):
    """`queryset` narrowed to the cases whose text matches `q` (unchanged when `q` has no words)."""
    terms = parse(q)
    if not terms:
        return queryset
    condition, params = match_condition(terms, connection.vendor, fts5_table="petitions_case_fts",
                                        vector_column='"petitions_case"."search"')
    if connection.vendor == "postgresql":
        # On the row itself, so the planner can walk an ordered index and test each row.
        return queryset.filter(RawSQL(condition, params, output_field=BooleanField()))
    return queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM petitions_case_fts WHERE {condition}", params))


class CappedPaginator(Paginator):
    """Counts at most CAP rows: past that a search says "more than 1,000" instead of
    counting every match of a common word (the count cost as much as the page)."""

    CAP = 1000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP
