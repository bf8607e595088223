"""Text the feed server writes to its logs, made safe to write: a secret feed's token
redacted, control characters escaped.

A secret feed's address is its password (``/feeds/secret/TOKEN.ics``), and its token is
43 characters of URL-safe base64 (``secrets.token_urlsafe(32)``). Two rules write it
``[token]``, each on its own:

- **the path**: what follows ``/feeds/secret/`` however a client wrote it: in any case,
  its letters or slashes percent-encoded (once or more: ``%2F``, ``%252F``,
  ``%73ecret``), slashes doubled or written as backslashes, under any mount point. The
  redaction runs up to white space, a quote, ``?``, ``#``, ``&``, ``<`` or ``>``, and
  keeps an ``.ics`` or ``.json`` ending;
- **the token itself**, wherever it stands in a line, whatever precedes it: a run of 32
  or more characters of its alphabet (``A-Z a-z 0-9 - _``, each written as itself or
  percent-encoded once or more) that holds both upper- and lower-case letters.

Nothing else is cut: slugs are lower-case, so ``/films/x-secret/...`` and the longest
slug are written as they are. What may remain, in odd cases, is said in
docs/security.md ("What the logs hold").

Control characters (C0, DEL, C1, the Unicode line and paragraph separators) and the
bytes of a path that are not UTF-8 are written as escapes (``\\n``, ``\\x1b``,
``\\xff``), so that a field never ends a line, moves the cursor or colours a terminal.
In the access log's quoted field, as nginx does, the backslash and the double quote are
escaped too (``\\\\``, ``\\"``): the field always ends at its closing quote, and an escape
there always means a character of the request.
"""

from __future__ import annotations

import re


def _letter(char: str) -> str:
    """``char`` as a pattern: itself, or percent-encoded any number of times."""
    return rf"(?:{char}|%(?:25)*{ord(char.lower()):02x}|%(?:25)*{ord(char.upper()):02x})"


_SEPARATOR = r"(?:/|\\|%(?:25)*2f|%(?:25)*5c)+"
_SECRET_PATH = re.compile(
    rf"(?i)(?P<prefix>{_SEPARATOR}{''.join(map(_letter, 'feeds'))}"
    rf"{_SEPARATOR}{''.join(map(_letter, 'secret'))}{_SEPARATOR})"
    r"(?P<token>[^\s\"'?#&<>]+?)(?P<ending>\.(?:ics|json))?(?=[\s\"'?#&<>]|\Z)"
)
# The token's alphabet, a character written as itself or percent-encoded once or more:
# the path rule stops at a quote or a space, a client may put one before the token, and
# a log may show the path before it is decoded.
_TOKEN_RUN = re.compile(
    r"(?:[A-Za-z0-9_-]|%(?:25)*(?:2[Dd]|3[0-9]|4[1-9A-Fa-f]|5[0-9AaFf]|6[1-9A-Fa-f]|7[0-9Aa]))+"
)
_ENCODED = re.compile("%(?:25)*([0-9A-Fa-f]{2})")
# Of a token's 43 characters: a piece of one cut off by a stray character is still
# hidden when it holds most of the secret; and no word gunicorn or Python writes
# (ConnectionResetError, InvalidRequestLine) comes near it.
TOKEN_RUN = 32
# Control characters, and the bytes of a path that were not UTF-8 (read with
# "surrogateescape"); in a quoted field, the backslash and the double quote too.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")
_CONTROL_OR_QUOTING = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]')
_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def redact(text: str) -> str:
    """``text`` with every secret feed's token written ``[token]``: what follows a secret
    feed's path, and any run of the token's alphabet that looks like one (see the
    module). Idempotent."""
    return _TOKEN_RUN.sub(_hide_run, _SECRET_PATH.sub(_hide, text))


def _hide(match: re.Match[str]) -> str:
    return f"{match['prefix']}[token]{match['ending'] or ''}"


def _hide_run(match: re.Match[str]) -> str:
    run = _ENCODED.sub(lambda code: chr(int(code[1], 16)), match[0])
    mixed = run != run.lower() and run != run.upper()  # upper- and lower-case letters
    return "[token]" if len(run) >= TOKEN_RUN and mixed else match[0]


def escape(text: str) -> str:
    """``text`` on one line: control characters and the backslash as escapes."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match[0]
    named = _NAMED.get(char)
    if named is not None:
        return named
    if 0xDC80 <= ord(char) <= 0xDCFF:
        return f"\\x{ord(char) - 0xDC00:02x}"  # the byte as it came
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def field(text: str) -> str:
    """``text`` as one field of one log line: its tokens redacted, then escaped."""
    return escape(redact(text))


def quoted(text: str) -> str:
    """``text`` for a quoted field of the access log: as ``field``, and the backslash and
    the double quote escaped too."""
    return _CONTROL_OR_QUOTING.sub(_escaped, redact(text))


def path(raw: str) -> str:
    """A request's path as a WSGI server hands it over (PEP 3333: its bytes as Latin-1),
    for the access log: read as the UTF-8 it was on the wire (a byte that is not, as
    ``\\xNN``), then as ``quoted``."""
    try:
        text = raw.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # not a PEP 3333 string: taken as it is
        text = raw
    return quoted(text)
