"""Header-driven CSV importing (realtor.com, Craigslist vehicles, the TrustAsset layout), the export
that round-trips with it, interaction imports, demo data, and the one bulk write path they share.

Entry points: ``services.listings_import``, ``export.listings_export``,
``interactions.interactions_import``, ``demo.demo_listings_generate``, ``writer.listing_batch_write``.
"""
