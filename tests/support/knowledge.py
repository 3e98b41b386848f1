"""Helpers for the knowledge tests (tests/test_knowledge_*.py): documents, uploads, PDFs, snapshots."""

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.ai.knowledge_actions import do_add_knowledge
from apps.ai.models import KnowledgeChunk, KnowledgeDoc

BRAND_TEXT = (
    "Alpenglow Coffee spricht seine Kundschaft immer mit „du“ an. Wir versprechen nie eine Heilwirkung, "
    "und wir nennen keine Preise in Videos.\n\n"
    "Past winner: the sunrise hook on the mountain hut got 3x the average watch time. Start with the "
    "steam rising from the cup, then cut to the roaster."
)


def add(org, text: str = BRAND_TEXT, *, kind: str = "brand_constraint", title: str = "Brand rules", **kwargs):
    return do_add_knowledge(org, kind=kind, title=title, text=text, **kwargs)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + b"".join(bytes([c]) if c < 128 else b"\\%03o" % c for c in raw) + b") Tj T*"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal, valid PDF 1.4 with one Helvetica text line per entry (WinAnsi, so umlauts work)."""
    n = len(pages)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        content = b"\n".join([b"BT /F1 12 Tf 14 TL 72 770 Td", *(_pdf_string(line) for line in lines), b"ET"])
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def encrypted_pdf(pages: list[list[str]], password: str) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(pages)))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def snapshot(*orgs) -> list:
    """Every knowledge row of these organizations, to show that a refused request changed nothing."""
    rows = []
    for org in orgs:
        rows.append(
            sorted(
                KnowledgeDoc.objects.for_org(org).values_list("id", "title", "kind", "project_id", "embedder"),
                key=str,
            )
        )
        rows.append(
            sorted(KnowledgeChunk.objects.for_org(org).values_list("id", "document_id", "position", "text"), key=str)
        )
    return rows
