"""The interaction simulator: synthetic people with known tastes browse the catalogue day by day.

``simulator`` runs it (``simulate``, its module docstring tells the whole story); ``catalogue`` turns the
listings into codes, places and similar lists, ``people`` draws who browses and what fits them, and
``sessions`` what they search, open and do.
"""
