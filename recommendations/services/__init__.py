"""The Django side of recommendations: ORM rows to arrays, ``ml/`` calls, results written back."""
