from django.db import migrations

PAIR_VIEW = """
CREATE VIEW recommendations_similar_pair AS
SELECT neighbours.source_id AS source_id,
       pair.target_id AS target_id,
       pair.score AS score,
       pair.rank::smallint AS rank,
       neighbours.version_id AS version_id
FROM recommendations_neighbourlist AS neighbours
CROSS JOIN LATERAL unnest(neighbours.target_ids, neighbours.scores) WITH ORDINALITY AS pair(target_id, score, rank)
"""


class Migration(migrations.Migration):
    """(source, target, score, rank, version) rows over the stored lists, for SQL tools and reports."""

    dependencies = [("recommendations", "0001_initial")]

    operations = [migrations.RunSQL(PAIR_VIEW, "DROP VIEW recommendations_similar_pair")]
