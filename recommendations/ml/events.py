"""The interaction event names: the one list that the site's ``Event`` choices, the interest weights and
the simulator share (pure Python, so ``ml/`` can use it without Django)."""

from __future__ import annotations

VIEW = "view"
FAVORITE = "favorite"
UNFAVORITE = "unfavorite"
CONTACT = "contact"
SHARE = "share"
SEARCH_CLICK = "search_click"
IMPRESSION = "impression"

EVENTS = (VIEW, FAVORITE, UNFAVORITE, CONTACT, SHARE, SEARCH_CLICK, IMPRESSION)
