"""API shapes of description requests (input and output, one pair per endpoint)."""

from __future__ import annotations

from rest_framework import serializers

from descriptions.models import DescriptionRequest, Tone


class DescriptionRequestInputSerializer(serializers.Serializer):
    tone = serializers.ChoiceField(choices=Tone.choices, default=Tone.CONCISE)


class DescriptionAcceptInputSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, trim_whitespace=True, max_length=10_000,
                                 help_text="The seller's edit of the draft; the draft itself when left out.")


class FindingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["fact", "fair_housing"])
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    span = serializers.CharField()
    message = serializers.CharField()


class DescriptionRequestOutputSerializer(serializers.ModelSerializer):
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = DescriptionRequest
        fields = ["id", "listing", "status", "tone", "engine", "draft", "findings", "note", "error", "accepted_text",
                  "created_at", "started_at", "finished_at", "decided_at"]
        read_only_fields = fields
