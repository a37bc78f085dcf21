"""``{{ text|with_findings:findings }}``: the text escaped, each finding's span in a <mark> with its message."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def with_findings(text: str, findings: list[dict[str, Any]]) -> SafeString:
    """Overlapping or out-of-range findings are skipped (the list under the draft still names them)."""
    pieces, cursor = [], 0
    for finding in sorted(findings or [], key=lambda found: (found["start"], found["end"])):
        start, end = int(finding["start"]), int(finding["end"])
        if start < cursor or end > len(text) or start >= end:
            continue
        pieces.append(escape(text[cursor:start]))
        pieces.append(format_html('<mark class="finding finding-{}" title="{}">{}</mark>', finding["kind"],
                                  finding["message"], text[start:end]))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return format_html("{}" * len(pieces), *pieces)  # the pieces are safe strings: not escaped twice


@register.inclusion_tag("descriptions/_panel.html", takes_context=True)
def description_panel(context: template.Context, listing: Any) -> dict[str, Any]:
    """The "Write it for me" panel of ``listing`` (the edit page's; only its editors reach that page)."""
    from descriptions.views import panel_context

    return {**panel_context(listing=listing), "request": context.get("request"),
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("descriptions/_warnings.html")
def description_warnings(listing: Any) -> dict[str, Any]:
    """What the fact and fair-housing checks find in the listing's own description."""
    from descriptions.selectors import description_findings

    return {"findings": description_findings(listing=listing) if listing.description else []}
