"""Seller-requested description drafts: engines, fact and fair-housing checks."""
