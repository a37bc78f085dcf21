"""Forms of the recommender's pages: a person's feed preferences."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from recommendations.models import Intent

INTENT_CHOICES = [("", "Infer it from what I view"), *Intent.choices]


class PreferenceForm(forms.Form):
    """One kind's settings; a prefix per kind lets both kinds share one page."""

    enabled = forms.BooleanField(required=False, label="Show these in my feed")
    intent = forms.ChoiceField(choices=INTENT_CHOICES, required=False, label="I am")
    budget_sale = forms.DecimalField(required=False, min_value=Decimal(1), max_digits=14, decimal_places=2,
                                     label="Budget to buy ($)")
    budget_rent = forms.DecimalField(required=False, min_value=Decimal(1), max_digits=14, decimal_places=2,
                                     label="Budget to rent ($ per month)")

    def preference_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"enabled": data["enabled"], "intent": data["intent"], "budget_sale": data["budget_sale"],
                "budget_rent": data["budget_rent"]}
