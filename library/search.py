"""Full-text search over the library, across all terms, diacritics-insensitive.

Indexing: `index_document` writes one SearchEntry per document: its metadata
(number, summary, kind, issuer, signer: one line each) then its current
version's text, and the same text folded (library.text.fold: lower case, no
marks, đ → d, one character for one). The database keeps its own full-text
index over `folded` (migration 0002: a generated tsvector on PostgreSQL, the
FTS5 table library_fts on SQLite), so both databases see the same words.

Searching: the query is folded and cut into words exactly as the index cut
the text (runs of letters and digits); every word must match (AND), the last
one as a prefix (search as you type; two letters at least), "quoted words" as
a phrase. Words are
always passed to the database quoted, never as syntax, so no user input can
make a query fail. Only documents the user may read are considered
(accounts.permissions.readable_documents, inside the query, before paging).
Ranking: bm25 on SQLite, ts_rank on PostgreSQL, metadata weighing more than
the content; ties by date of issue, newest first.

Snippets are cut from the original text around the best match: a match on
the folded text is at the same position in the original, which is shown with
the matched words in <mark>: of each term's matches, only the closest kind
the text holds (spelled as typed, then the same word folded, then a longer
word a prefix begins), so "to" marks "to", not every "Tổ" and "tổng".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.permissions import readable_documents

from .models import Document, SearchEntry
from .text import fold, nfc

# The index takes at most this many bytes of a document's folded text (the
# rest stays readable, not searchable). PostgreSQL refuses a tsvector over
# 1 MB; with punctuation turned into spaces a vector is at most ~2.6x its
# input (short distinct words: 4-byte entry + word + one position), so 300 kB
# of input stays under it whatever the text. ~100 pages of dense prose.
MAX_INDEX_BYTES = 300_000
MAX_QUERY_CHARS = 300
MAX_TERMS = 12
SNIPPET_CHARS = 200
MIN_PREFIX = 2
# No address asks for a page past this one (an OFFSET the database can hold; the last real page is shown).
MAX_PAGE = 10_000
# bm25 column weights on SQLite (meta, body); PostgreSQL weighs metadata 'A' (1.0) against 'D' (0.1).
META_WEIGHT, BODY_WEIGHT = 4.0, 1.0

_TOKEN = re.compile(r"[^\W_]+")  # what unicode61 (SQLite) and our PostgreSQL vector call a word
_PART = re.compile(r'"([^"]*)"|(\S+)')
_SPACE = re.compile(r"\s+")


# ---- indexing ----------------------------------------------------------------------

def _one_line(value) -> str:
    return _SPACE.sub(" ", nfc(str(value or ""))).strip()


def _metadata_lines(document: Document) -> list[str]:
    with translation.override("vi"):  # the kind as the office writes it, whatever the worker's language
        kind = str(Document.Kind(document.kind).label) if document.kind in Document.Kind.values else ""
    fields = (document.number, document.summary, kind, document.issuer, document.signer)
    return [line for line in (_one_line(f) for f in fields) if line]


def _cap(text: str, folded: str) -> tuple[str, str]:
    """Cut both (same length) so the folded text is at most MAX_INDEX_BYTES in UTF-8."""
    if len(folded) <= MAX_INDEX_BYTES // 4 or len(folded.encode()) <= MAX_INDEX_BYTES:
        return text, folded
    cut = len(folded.encode()[:MAX_INDEX_BYTES].decode(errors="ignore"))
    # End on a word boundary, so no half word is indexed.
    space = folded.rfind(" ", 0, cut)
    cut = space if space > cut - 200 else cut
    return text[:cut], folded[:cut]


def index_document(document_id: int) -> SearchEntry | None:
    """(Re)index one document: metadata and its current version's text.

    Idempotent; a document with no version yet is indexed by its metadata; a
    withdrawn (or deleted) document leaves the index.
    """
    document = Document.objects.select_related("current_version").filter(pk=document_id).first()
    if document is None or document.status == Document.Status.WITHDRAWN:
        remove_document(document_id)
        return None
    head = "\n".join(_metadata_lines(document)) + "\n"
    content = nfc(document.current_version.text) if document.current_version_id else ""
    text, folded = _cap(head + content, fold(head + content))
    entry, _created = SearchEntry.objects.update_or_create(
        document_id=document.pk, defaults={"text": text, "folded": folded, "content_start": len(head)})
    return entry


def remove_document(document_id: int) -> None:
    SearchEntry.objects.filter(document_id=document_id).delete()


# ---- the query -------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One thing that must match: a word (tokens of one) or a phrase."""

    tokens: tuple[str, ...]
    prefix: bool = False  # the last token may be the start of a word
    # The words as typed (lower case, with their marks): the highlighter prefers them. Not part of
    # what the term is: "to" and "tờ" find the same documents.
    typed: tuple[str, ...] = field(default=(), compare=False)


def parse(q: str) -> list[Term]:
    """Folded terms of a user's query; anything that is not a letter or digit is a separator."""
    q = nfc(q or "")[:MAX_QUERY_CHARS]
    parts = [(m.group(1) is not None, m.group(1) if m.group(1) is not None else m.group(2)) for m in _PART.finditer(q)]
    terms: list[Term] = []
    for i, (quoted, part) in enumerate(parts):
        tokens = tuple(_TOKEN.findall(fold(part)))
        typed = tuple(_TOKEN.findall(part.lower()))
        if not tokens:
            continue
        # The last word, as typed, may be unfinished: a prefix. Not one letter alone, which would
        # merge the lists of every word starting with it (~0.3 s over 10,000 documents).
        last = i == len(parts) - 1 and not quoted and not q[-1:].isspace() and len(tokens[-1]) >= MIN_PREFIX
        term = Term(tokens, prefix=last, typed=typed if len(typed) == len(tokens) else ())
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _fts5_match(terms: list[Term]) -> str:
    # Tokens are letters and digits only, so a double-quoted string is always a plain phrase.
    return " ".join('"' + " ".join(t.tokens) + '"' + ("*" if t.prefix else "") for t in terms)


def _tsquery(terms: list[Term]) -> str:
    def term(t: Term) -> str:
        words = [f"'{tok}'" for tok in t.tokens]
        if t.prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"

    return " & ".join(term(t) for t in terms)


def _rank_tsquery(terms: list[Term]) -> str:
    """The same words joined by OR, for ts_rank only (the match is the query above). ts_rank
    pairs the positions of every two words of an AND or phrase query, which costs up to 0.1 ms
    a document with common words; over OR it reads each word's positions once (5x faster over
    10,000 documents) and still scores by how often, and where (metadata first), they occur."""
    words = {f"'{tok}'" + (":*" if t.prefix and i == len(t.tokens) - 1 else "")
             for t in terms for i, tok in enumerate(t.tokens)}
    return " | ".join(sorted(words))


def match_condition(terms: list[Term], vendor: str, *, fts5_table: str, vector_column: str) -> tuple[str, list]:
    """The SQL condition (and its parameters) for "these terms match" on this database: an FTS5
    MATCH over `fts5_table` (SQLite; select its rowid) or a tsquery over `vector_column` (PostgreSQL).
    Other modules with a folded full-text index (petitions) use it, so both search alike."""
    if vendor == "postgresql":
        return f"{vector_column} @@ to_tsquery('simple', %s)", [_tsquery(terms)]
    return f"{fts5_table} MATCH %s", [_fts5_match(terms)]


# ---- searching -------------------------------------------------------------------------

@dataclass
class Hit:
    document: Document
    snippet: SafeString  # around the best match, matched words in <mark>
    title: SafeString  # the summary, matched words in <mark>
    in_content: bool  # the snippet comes from the text of the file (else from the metadata)


@dataclass
class Results:
    total: int
    hits: list[Hit]
    page: int
    pages: int
    per_page: int = 20
    terms: list[Term] = field(default_factory=list)


def _pk(value):
    return getattr(value, "pk", value)


def _issuers_like(issuer: str) -> list[str]:
    """Issuers as written in the library that contain `issuer`, diacritics-insensitively."""
    wanted = _one_line(fold(issuer))
    known = Document.objects.exclude(issuer="").order_by().values_list("issuer", flat=True).distinct()
    return [name for name in known if wanted in _one_line(fold(name))]


def candidates(user, *, kind=None, body=None, session=None, date_from: date | None = None,
               date_to: date | None = None, issuer: str | None = None):
    """The documents a search may return: readable by `user`, not withdrawn, within the filters."""
    qs = readable_documents(Document.objects.exclude(status=Document.Status.WITHDRAWN), user)
    if kind:
        qs = qs.filter(kind=kind)
    if body:
        qs = qs.filter(body_id=_pk(body))
    if session:
        qs = qs.filter(session_id=_pk(session))
    if date_from:
        qs = qs.filter(issued_on__gte=date_from)
    if date_to:
        qs = qs.filter(issued_on__lte=date_to)
    if issuer and issuer.strip():
        qs = qs.filter(issuer__in=_issuers_like(issuer))
    return qs


def search(user, q: str, *, kind=None, body=None, session=None, date_from: date | None = None,
           date_to: date | None = None, issuer: str | None = None, page: int = 1, per_page: int = 20) -> Results:
    """One page of results for `user`. An empty query lists the documents (within the filters) by date."""
    per_page = max(1, min(int(per_page), 100))
    page = max(1, min(int(page), MAX_PAGE))
    docs = candidates(user, kind=kind, body=body, session=session, date_from=date_from, date_to=date_to, issuer=issuer)
    terms = parse(q)
    if not terms:
        if (q or "").strip():  # only punctuation: nothing can match
            return Results(0, [], 1, 1, per_page, terms)
        return _by_date(docs, page, per_page)

    ids, total = _ranked_ids(docs, terms, page, per_page)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end: show the last page
        page = pages
        ids, total = _ranked_ids(docs, terms, page, per_page)
    documents = Document.objects.select_related("session", "body").in_bulk(ids)
    entries = {e.pk: e for e in SearchEntry.objects.filter(document_id__in=ids)}
    pattern = _Pattern(terms)
    hits = []
    for pk in ids:
        if pk in documents and pk in entries:
            hits.append(_hit(documents[pk], entries[pk], pattern))
    return Results(total, hits, page, pages, per_page, terms)


def _by_date(docs, page, per_page) -> Results:
    total = docs.count()
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    rows = list(docs.select_related("session", "body")
                .order_by(F("issued_on").desc(nulls_last=True), "-id")[(page - 1) * per_page:page * per_page])
    entries = {e.pk: e for e in SearchEntry.objects.filter(document_id__in=[d.pk for d in rows])}
    hits = []
    for d in rows:
        entry = entries.get(d.pk)
        start = entry.content_start if entry else 0
        lead = _trim(entry.text[start:start + SNIPPET_CHARS], entry.text, start, start + SNIPPET_CHARS) if entry else ""
        hits.append(Hit(d, mark_safe(lead), mark_safe(escape(d.summary)), bool(lead)))
    return Results(total, hits, page, pages, per_page, [])


def _ranked_ids(docs, terms: list[Term], page: int, per_page: int) -> tuple[list[int], int]:
    """One page of matching document ids, best first, and how many match in all (one query)."""
    try:
        readable_sql, readable_params = docs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that nothing can pass (an issuer nobody issued): no SQL, no match
        return [], 0
    d = Document._meta.db_table
    if connection.vendor == "postgresql":
        e = SearchEntry._meta.db_table
        sql = (f"SELECT d.id, count(*) OVER () FROM {e} e JOIN {d} d ON d.id = e.document_id, "
               f"to_tsquery('simple', %s) q, to_tsquery('simple', %s) r "
               f"WHERE e.vector @@ q AND d.id IN ({readable_sql}) "
               f"ORDER BY ts_rank(e.vector, r, 1) DESC, d.issued_on DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s")
        params = [_tsquery(terms), _rank_tsquery(terms), *readable_params, per_page, (page - 1) * per_page]
    else:
        # bm25() only works in the query that scans library_fts: rank there, join after.
        sql = (f"WITH m AS MATERIALIZED (SELECT rowid AS id, bm25(library_fts, {META_WEIGHT}, {BODY_WEIGHT}) AS rank "
               f"FROM library_fts WHERE library_fts MATCH %s) "
               f"SELECT d.id, count(*) OVER () FROM m JOIN {d} d ON d.id = m.id WHERE d.id IN ({readable_sql}) "
               f"ORDER BY m.rank, d.issued_on DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s")
        params = [_fts5_match(terms), *readable_params, per_page, (page - 1) * per_page]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Match through the GIN index: for plain words it reads no vector at all (only phrases
            # need a recheck), so ts_rank is the only reader of each one. Once most documents
            # match, the planner, which does not know what reading a vector costs, prefers a
            # sequential scan that reads every vector twice (80 ms more over 10,000 documents).
            cursor.execute("SELECT current_setting('enable_seqscan')")
            before = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            try:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            finally:
                cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
        else:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    if rows:
        return [r[0] for r in rows], rows[0][1]
    if page > 1:  # past the end: count alone
        return [], _count(docs, terms)
    return [], 0


def _count(docs, terms) -> int:
    ids, total = _ranked_ids(docs, terms, 1, 1)
    return total


# ---- snippets --------------------------------------------------------------------------

class _Pattern:
    """All terms in one regular expression (one pass over the text): group i+1 is terms[order[i]]."""

    def __init__(self, terms: list[Term]):
        self.count = len(terms)
        self.terms = terms
        self.order = sorted(range(len(terms)), key=lambda i: -len(terms[i].tokens))  # phrases before their words
        alts = []
        for i in self.order:
            body = r"[\W_]+".join(re.escape(t) for t in terms[i].tokens)
            alts.append("(" + body + (r"[^\W_]*" if terms[i].prefix else "") + ")")  # a prefix marks its whole word
        self.regex = re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])")


@dataclass
class _Window:
    start: int
    end: int
    found: int  # distinct terms inside
    at: int  # where its first match starts


SCAN_CHUNK = 16_000


def _matches(folded: str, pattern: _Pattern, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(start, end, term index) of matches within folded[lo:hi], in order. Long texts are read
    a chunk at a time, stopping after the first chunk by which every term has been seen."""
    out: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    pos = lo
    while pos < hi:
        stop = min(hi, pos + SCAN_CHUNK)
        if stop < hi:  # end the chunk between words, so no match is cut
            space = folded.find(" ", stop)
            stop = hi if space == -1 or space > hi else space
        for m in pattern.regex.finditer(folded, pos, stop):
            term = pattern.order[m.lastindex - 1]
            out.append((m.start(), m.end(), term))
            seen.add(term)
        if len(seen) == pattern.count:
            break
        pos = stop
    return out


def _tier(text: str, folded: str, start: int, end: int, term: Term) -> int:
    """How closely a match is the word typed: 0 spelled as typed (its marks, case aside), 1 the
    same word folded ("Tổ" for "to"), 2 a longer word it begins (a prefix: "tổng" for "to")."""
    whole = list(_TOKEN.findall(folded[start:end])) == list(term.tokens)
    if not whole:
        return 2
    return 0 if list(_TOKEN.findall(text[start:end].lower())) == list(term.typed) else 1


def _as_typed(text: str, folded: str, matches, pattern: _Pattern) -> list[tuple[int, int, int]]:
    """Only the matched words the reader meant are marked. Folding finds "Tổ", "Tờ", "tố", "to"
    and, the last word being a prefix, "tổng" for "to": the document matched on any of them. Of
    each term's matches, only the closest kind present is marked (see _tier): "to" marks the
    words "to" if the text has one, else the words that fold to it, and a longer word only in a
    text where nothing closer matched."""
    tiers = [_tier(text, folded, s, e, pattern.terms[t]) for s, e, t in matches]
    best: dict[int, int] = {}
    for (_s, _e, t), tier in zip(matches, tiers):
        best[t] = min(tier, best.get(t, 2))
    return [m for m, tier in zip(matches, tiers) if tier == best[m[2]]]


def _best_window(matches, lo: int, hi: int) -> _Window | None:
    """The SNIPPET_CHARS window in [lo, hi) holding the most distinct terms (earliest on ties)."""
    best = None
    j = 0
    for i, (s, _e, _t) in enumerate(matches):
        while j < len(matches) and matches[j][1] <= s + SNIPPET_CHARS - 40:
            j += 1
        found = len({t for _s, _e, t in matches[i:max(j, i + 1)]})
        if best is None or found > best.found:
            start = max(lo, s - 40)
            best = _Window(start, min(hi, start + SNIPPET_CHARS), found, s)
    return best


def _mark(text: str, matches, lo: int, hi: int) -> str:
    out, pos = [], lo
    for s, e, _t in matches:
        if s < pos or e > hi:
            continue
        out.append(escape(text[pos:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        pos = e
    out.append(escape(text[pos:hi]))
    return "".join(out)


def _snap(text: str, lo: int, hi: int, floor: int, ceil: int) -> tuple[int, int]:
    """Move a window's ends to spaces, so no word is cut in half."""
    if lo > floor:
        space = text.find(" ", lo, lo + 30)
        lo = space + 1 if space != -1 else lo
    if hi < ceil:
        space = text.rfind(" ", hi - 30, hi)
        hi = space if space > lo else hi
    return lo, hi


def _trim(piece: str, text: str, lo: int, hi: int) -> str:
    piece = _SPACE.sub(" ", escape(piece)).strip()
    return piece + ("…" if hi < len(text) and piece else "")


def _hit(document: Document, entry: SearchEntry, patterns: _Pattern) -> Hit:
    text, folded, split = entry.text, entry.folded, entry.content_start
    in_body = _as_typed(text, folded, _matches(folded, patterns, split, len(folded)), patterns)
    in_meta = _as_typed(text, folded, _matches(folded, patterns, 0, split), patterns)
    body_win = _best_window(in_body, split, len(folded))
    meta_win = _best_window(in_meta, 0, split)
    summary = nfc(document.summary)
    folded_summary = fold(summary)
    title = _mark(summary, _as_typed(summary, folded_summary, _matches(folded_summary, patterns, 0, len(summary)),
                                     patterns), 0, len(summary))
    if body_win and not (meta_win and meta_win.found > body_win.found):
        matches, floor, ceil, in_content = in_body, split, len(folded), True
        lo, hi = body_win.start, body_win.end
    elif meta_win:
        # Metadata is one line per field: show the line of the best match.
        matches, in_content = in_meta, False
        floor = text.rfind("\n", 0, meta_win.at) + 1
        ceil = text.find("\n", floor, split)
        ceil = split if ceil == -1 else ceil
        lo = max(floor, meta_win.at - 40)
        hi = min(ceil, lo + SNIPPET_CHARS)
    else:
        lead = text[split:split + SNIPPET_CHARS]
        return Hit(document, mark_safe(_trim(lead, text, split, split + SNIPPET_CHARS)), mark_safe(title), False)
    lo, hi = _snap(text, lo, hi, floor, ceil)
    html = _SPACE.sub(" ", _mark(text, matches, lo, hi)).strip()
    html = ("…" if lo > floor else "") + html + ("…" if hi < ceil else "")
    return Hit(document, mark_safe(html), mark_safe(title), in_content)
