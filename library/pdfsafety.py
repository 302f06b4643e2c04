"""Active content in a PDF: what the library refuses (`active_content`).

A council document is read, never run. The library serves PDFs inline (the
browser's viewer, the download), so a PDF that carries scripts, launches a
program, posts form data somewhere or hides other files inside is refused at
upload. `active_content(stream)` answers what it found (a short English
token, for the refusal message and the audit) or None.

What counts, wherever it sits:

    javascript     a JavaScript action (/S /JavaScript, or any /JS entry), the
                   document's /Names /JavaScript tree, an XFA form (its own
                   scripts, /AcroForm /XFA)
    launch         /Launch (start a program or open a file), /ImportData,
                   /SubmitForm (send form data to an address), /RichMediaExecute,
                   /GoToE (jump into an embedded file)
    embedded_file  an embedded file (/EmbeddedFile stream, /Names /EmbeddedFiles,
                   a /FileAttachment annotation): its content escapes every check
                   of library.files (type, size, classification stamp)

Links (/URI, /GoTo, /GoToR to another document) stay: they only move the
reader, and browsers ask before leaving.

How: pypdf reads the cross-reference table and decodes every indirect object,
also those packed in compressed object streams, with names unescaped (“/J#61vaScript”
is /JavaScript), and the walk looks into every dictionary and array of each
object: catalog (/OpenAction, /AA, /Names), pages (/AA), annotations (/A, /AA),
form fields, outlines — all of them are objects of the file. A byte search for
the names above is a second belt over what pypdf could not parse. A PDF pypdf
cannot open at all is not proved clean: `Unreadable` is raised and the upload
refused as damaged.
"""

import re

from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "launch",
    "/SubmitForm": "launch",
    "/RichMediaExecute": "launch",
    "/GoToE": "launch",
}
# At most this many objects are walked (a real document has far fewer; past it, refuse as damaged).
MAX_OBJECTS = 2_000_000
# Long names only: a short one (/JS) turns up by chance in megabytes of compressed image data.
_RAW = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|SubmitForm|ImportData)(?![A-Za-z0-9])")


class Unreadable(Exception):
    """pypdf cannot read the file's structure, so its content cannot be vouched for."""


def _found_in(obj) -> str | None:
    """What one dictionary (not its children) carries."""
    if not isinstance(obj, DictionaryObject):
        return None
    kind = obj.get("/S")
    if isinstance(kind, NameObject) and str(kind) in ACTIONS:
        return ACTIONS[str(kind)]
    if "/JS" in obj or "/JavaScript" in obj or "/XFA" in obj:  # an action's script, the names tree, XFA
        return "javascript"
    if ("/EmbeddedFiles" in obj or "/EF" in obj or obj.get("/Type") == "/EmbeddedFile"
            or obj.get("/Subtype") == "/FileAttachment"):
        return "embedded_file"
    return None


def _walk(root, limit: list) -> str | None:
    """Depth-first through direct dictionaries and arrays of one object (indirect ones are walked on their own)."""
    stack = [root]
    while stack:
        obj = stack.pop()
        limit[0] -= 1
        if limit[0] < 0:
            raise Unreadable("too many objects")
        if isinstance(obj, DictionaryObject):
            found = _found_in(obj)
            if found:
                return found
            stack.extend(v for v in obj.values() if isinstance(v, (DictionaryObject, ArrayObject)))
        elif isinstance(obj, ArrayObject):
            stack.extend(v for v in obj if isinstance(v, (DictionaryObject, ArrayObject)))
    return None


def active_content(stream) -> str | None:
    import pypdf

    stream.seek(0)
    try:
        reader = pypdf.PdfReader(stream, strict=False)
        if reader.is_encrypted:
            # PDFium opened it without a password: the empty user password decrypts it.
            reader.decrypt("")
        ids = set()
        for generation, table in reader.xref.items():
            ids.update((num, generation) for num in table)
        ids.update((num, 0) for num in reader.xref_objStm)
        limit = [MAX_OBJECTS]
        if len(ids) > MAX_OBJECTS:
            raise Unreadable("too many objects")
        for num, generation in sorted(ids):
            try:
                obj = reader.get_object(IndirectObject(num, generation, reader))
            except Exception:
                continue  # one broken object: the byte search below still looks at it
            found = _walk(obj, limit)
            if found:
                return found
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable(str(exc)) from None
    finally:
        stream.seek(0)
    return _raw_names(stream)


def _raw_names(stream) -> str | None:
    """The belt: the names in the bytes as written (uncompressed objects that pypdf skipped)."""
    stream.seek(0)
    overlap = b""
    try:
        while chunk := stream.read(1024 * 1024):
            match = _RAW.search(overlap + chunk)
            if match:
                name = match.group(1)
                return "embedded_file" if name.startswith(b"Embedded") else (
                    "launch" if name in (b"Launch", b"SubmitForm", b"ImportData") else "javascript")
            overlap = chunk[-16:]
    finally:
        stream.seek(0)
    return None
