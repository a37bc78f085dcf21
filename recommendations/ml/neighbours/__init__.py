"""Exact top-k "similar listings" by dot product, computed in chunks; incremental refresh.

``lists`` holds the list order, padding and merging, ``blend`` the vectors to compare (both numpy only);
``top_k`` computes lists in full (torch), ``incremental`` brings the last refresh's lists up to date.
"""
