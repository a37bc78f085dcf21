"""One factory per model; values are fixed or sequenced so tests can assert exact answers."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from descriptions.models import DescriptionRequest, RequestStatus
from listings.models import AlertSettings, Favorite, Interaction, Kind, Listing, Offer, SavedSearch, Status
from recommendations.models import Dismissal


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class HomeFactory(factory.django.DjangoModelFactory[Listing]):
    class Meta:
        model = Listing

    kind = Kind.HOME
    offer = Offer.SALE
    status = Status.ACTIVE
    title = factory.Sequence(lambda n: f"3 bd, 2 ba house #{n} in Ponce, PR")
    price = Decimal("150000.00")
    city = "Ponce"
    state = "PR"
    zip_code = "00731"
    lat = 18.0111
    lon = -66.6141
    bed = 3
    bath = Decimal("2.0")
    house_size = 1500
    acre_lot = 0.25
    seller = factory.SubFactory(UserFactory)
    published_at = factory.LazyFunction(timezone.now)


class CarFactory(factory.django.DjangoModelFactory[Listing]):
    class Meta:
        model = Listing

    kind = Kind.CAR
    offer = Offer.SALE
    status = Status.ACTIVE
    title = factory.Sequence(lambda n: f"2016 Ford Transit Connect #{n}")
    price = Decimal("15573.00")
    city = "Medford"
    state = "OR"
    zip_code = "97501"
    make = "Ford"
    model = "Transit Connect"
    year = 2016
    odometer = 104340
    condition = "good"
    fuel = "gas"
    transmission = "automatic"
    drive = "fwd"
    body_type = "van"
    seller = factory.SubFactory(UserFactory)
    published_at = factory.LazyFunction(timezone.now)


class FavoriteFactory(factory.django.DjangoModelFactory[Favorite]):
    class Meta:
        model = Favorite

    user = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(HomeFactory)


class SavedSearchFactory(factory.django.DjangoModelFactory[SavedSearch]):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = "Homes in Ponce"
    filters = factory.LazyFunction(lambda: {"kind": "home", "city": "Ponce"})


class InteractionFactory(factory.django.DjangoModelFactory[Interaction]):
    class Meta:
        model = Interaction

    user = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(HomeFactory)
    event = "view"


class AlertSettingsFactory(factory.django.DjangoModelFactory[AlertSettings]):
    class Meta:
        model = AlertSettings
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    price_drops = True


class DismissalFactory(factory.django.DjangoModelFactory[Dismissal]):
    class Meta:
        model = Dismissal

    user = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(HomeFactory)


class DescriptionRequestFactory(factory.django.DjangoModelFactory[DescriptionRequest]):
    """A draft ready for its seller to review (the worker's part done)."""

    class Meta:
        model = DescriptionRequest

    listing = factory.SubFactory(HomeFactory)
    requested_by = factory.LazyAttribute(lambda request: request.listing.seller)
    status = RequestStatus.READY
    tone = "concise"
    engine = "template"
    draft = "A bright 3-bedroom home in Ponce, PR, for sale at $150,000."
    attempts = 1
