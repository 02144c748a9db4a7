"""Test factories, shared by every test package."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from storeteam.accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    full_name = factory.Faker("name")
    is_staff = False
    password = factory.django.Password(PASSWORD)


class StaffFactory(CustomerFactory):
    email = factory.Sequence(lambda n: f"staff{n}@store.example")
    is_staff = True

    @factory.post_generation
    def role(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
