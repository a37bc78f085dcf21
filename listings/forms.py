"""Page forms: they validate input and say what is wrong; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.forms.renderers import Jinja2

from listings.models import DESCRIPTION_MAX_LENGTH, Kind, Listing, photo_refusal
from listings.places import city_place, state_code, zip_code_normalize, zip_place

HOME_FIELDS = ("bed", "bath", "house_size", "acre_lot", "prev_sold_date")
CAR_FIELDS = (
    "make", "model", "year", "odometer", "condition", "cylinders", "fuel", "transmission", "drive", "size",
    "body_type", "paint_color", "title_status",
)
COMMON_FIELDS = ("kind", "offer", "title", "description", "price", "city", "state", "zip_code")


class ListingForm(forms.ModelForm):
    """Create or edit a listing; only the fields of the listing's kind are kept, the others are cleared."""

    description = forms.CharField(required=False, max_length=DESCRIPTION_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    state = forms.CharField(max_length=40, help_text="Name or two-letter code, e.g. Puerto Rico or PR.")
    zip_code = forms.CharField(max_length=10, required=False, label="ZIP code")
    publish_now = forms.BooleanField(
        required=False, initial=True, help_text="Uncheck to keep it as a draft only you can see."
    )

    class Meta:
        model = Listing
        fields = [*COMMON_FIELDS, *HOME_FIELDS, *CAR_FIELDS]
        labels = {
            "bed": "Bedrooms", "bath": "Bathrooms", "house_size": "House size (sqft)", "acre_lot": "Lot (acres)",
            "prev_sold_date": "Previously sold on", "odometer": "Odometer (miles)", "body_type": "Body type",
            "paint_color": "Paint color", "title_status": "Title status",
        }
        widgets = {
            "prev_sold_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A home stays a home: its facts, history and neighbours only make sense for one kind.
            self.fields["kind"].disabled = True
            del self.fields["publish_now"]
        self.place_lat: float | None = None
        self.place_lon: float | None = None

    def clean_state(self) -> str:
        code = state_code(self.cleaned_data["state"])
        if code is None:
            raise forms.ValidationError("Unknown state; use its name or two-letter code.")
        return code

    def clean_zip_code(self) -> str:
        value = self.cleaned_data["zip_code"].strip()
        if not value:
            return ""
        zip_code = zip_code_normalize(value)
        if zip_code is None:
            raise forms.ValidationError("Enter a 5-digit ZIP code.")
        if zip_place(zip_code) is None:
            raise forms.ValidationError(f"Unknown ZIP code {zip_code}.")
        return zip_code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind") or self.instance.kind
        if kind in Kind.values:
            self._clear_other_kind(kind)
        state, zip_code = cleaned.get("state"), cleaned.get("zip_code")
        place = zip_place(zip_code) if zip_code else None
        if place is not None and state and place.state != state:
            self.add_error("zip_code", f"ZIP code {zip_code} is in {place.state}, not {state}.")
        elif place is not None and not cleaned.get("city"):
            cleaned["city"] = place.city
        if place is None and state and cleaned.get("city"):
            place = city_place(cleaned["city"], state)
        self.place_lat, self.place_lon = (place.lat, place.lon) if place else (None, None)
        return cleaned

    def _clear_other_kind(self, kind: str) -> None:
        """What was typed into the other kind's fields (hidden by the page's script) is ignored."""
        for name in CAR_FIELDS if kind == Kind.HOME else HOME_FIELDS:
            self.errors.pop(name, None)
            self.cleaned_data[name] = "" if isinstance(Listing._meta.get_field(name), models.CharField) else None

    def _update_errors(self, errors: ValidationError) -> None:
        """One message per field: the form's own if it has one, else the model's last and most specific
        (``Listing.clean`` runs after the field validators); errors about fields not on the form go on top."""
        if not hasattr(errors, "error_dict"):
            super()._update_errors(errors)  # type: ignore[misc]
            return
        kept: dict[str, list[ValidationError]] = {}
        for field, messages in errors.error_dict.items():
            if field in self.errors:
                continue
            target = field if field in self.fields else NON_FIELD_ERRORS
            kept.setdefault(target, []).extend(messages if target == NON_FIELD_ERRORS else messages[-1:])
        if kept:
            super()._update_errors(ValidationError(kept))  # type: ignore[misc]

    def listing_data(self) -> dict[str, Any]:
        """The validated model fields for ``listing_create`` / ``listing_update``, coordinates included."""
        names = [name for name in self._meta.fields or () if name in self.cleaned_data]
        if self.instance.pk is not None:
            names.remove("kind")
        data = {name: self.cleaned_data[name] for name in names}
        data.update(lat=self.place_lat, lon=self.place_lon)
        return data


class PhotoForm(forms.Form):
    image = forms.ImageField(help_text="JPEG, PNG, GIF or WebP.")

    def clean_image(self) -> UploadedFile:
        image: UploadedFile = self.cleaned_data["image"]
        refusal = photo_refusal(image)
        if refusal is not None:
            raise forms.ValidationError(refusal)
        return image


# Django's own widget templates in their Jinja2 twins (django/forms/jinja2): the same HTML in half the
# template engine's time (0.25 vs 0.49 ms for the contact form on every listing page, bench/load.sh).
WIDGETS_JINJA2 = Jinja2()


class InquiryForm(forms.Form):
    default_renderer = WIDGETS_JINJA2

    message = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    reply_to = forms.EmailField(label="Your email", help_text="The seller replies to this address.")


class FavoriteForm(forms.Form):
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name this search")
