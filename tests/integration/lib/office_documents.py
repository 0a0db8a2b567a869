#!/usr/bin/python3
"""Writes the .docx files of the Office preview tests with Debian's python3-docx.

Usage: office_documents.py KIND OUT [URL]
  plain          one page with a heading and a paragraph
  macro          a macro-enabled document (a vbaProject part and its content type) named .docx
  external-link  an image linked (not embedded) from URL: rendering it would fetch URL
  many-pages     5,000 pages, each ended by a page break
"""
import io
import sys
import zipfile

import docx
from docx.enum.text import WD_BREAK


def plain():
    d = docx.Document()
    d.add_heading("Writeen preview test", level=1)
    d.add_paragraph("A paragraph of a real Word document, written by python-docx.")
    return d


def many_pages(count=5000):
    d = docx.Document()
    for i in range(count):
        p = d.add_paragraph(f"Page {i + 1}")
        p.add_run().add_break(WD_BREAK.PAGE)
    return d


def saved(d):
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def rewrite(data, change):
    """Copies a .docx zip, letting change(name, bytes) return new bytes, then adds change.extra."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, change(item.filename, src.read(item.filename)))
        for name, body in getattr(change, "extra", {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def with_macro(data):
    # A Word macro project: the main part becomes macroEnabled and points at vbaProject.bin,
    # whose AutoOpen would run on opening if macros were allowed.
    def change(name, body):
        if name == "[Content_Types].xml":
            body = body.replace(
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                b"application/vnd.ms-word.document.macroEnabled.main+xml")
            body = body.replace(b"</Types>", b'<Default Extension="bin" '
                                b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        if name == "word/_rels/document.xml.rels":
            body = body.replace(b"</Relationships>", b'<Relationship Id="rIdVba" '
                                b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                                b'Target="vbaProject.bin"/></Relationships>')
        return body
    # Not a compiled project (writing one needs Office), but the parts Word and LibreOffice
    # look for, with the source text of an AutoOpen macro that would reach the network.
    change.extra = {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 +
                    b'Attribute VB_Name = "NewMacros"\r\nSub AutoOpen()\r\n  Shell "curl http://127.0.0.1:9/"\r\nEnd Sub\r\n'}
    return rewrite(data, change)


def with_external_image(data, url):
    # A picture whose relationship is TargetMode="External": the renderer fetches it by URL.
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        '<wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="linked"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:nvPicPr><pic:cNvPr id="1" name="linked"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:link="rIdLinked"/>'
        '<a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>').encode()

    def change(name, body):
        if name == "word/document.xml":
            body = body.replace(b"<w:sectPr", drawing + b"<w:sectPr", 1)
        if name == "word/_rels/document.xml.rels":
            body = body.replace(b"</Relationships>", b'<Relationship Id="rIdLinked" '
                                b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
                                b'Target="' + url.encode() + b'" TargetMode="External"/></Relationships>')
        return body
    return rewrite(data, change)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "plain":
        data = saved(plain())
    elif kind == "macro":
        data = with_macro(saved(plain()))
    elif kind == "external-link":
        data = with_external_image(saved(plain()), sys.argv[3])
    elif kind == "many-pages":
        data = saved(many_pages())
    else:
        sys.exit(f"unknown kind {kind}")
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
