"""Forms of the "Write it for me" panel on the listing edit page."""

from __future__ import annotations

from django import forms

from descriptions.models import Tone


class DescriptionRequestForm(forms.Form):
    tone = forms.ChoiceField(choices=Tone.choices, initial=Tone.CONCISE)


class DescriptionAcceptForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=10_000, strip=True,
                           label="Your description (edit before accepting if you like)")
