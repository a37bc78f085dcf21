"""Recommendations: similar listings, the personalized feed and the sequence model.

``ml/`` holds pure PyTorch/numpy code (no Django imports); ``services/`` reads the ORM into
arrays, calls ``ml/`` and writes results; ``tasks.py`` holds thin Celery tasks.
"""
