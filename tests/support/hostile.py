"""Strings that break naive code: NUL, lone surrogates, entities out of range, markup, bidi."""

NASTY = [
    "\x00",
    "\ud800",
    "\udfff",
    "\ud83d\ude00",
    "&#0;",
    "&#x0;",
    "&#xD800;",
    "&#1114112;",
    "&#99999999999999999999;",
    "&#65;",
    "&amp;",
    "&",
    "<",
    "<b>",
    "]]>",
    "\ufffe",
    "\x1b",
    "\u202e",
]
