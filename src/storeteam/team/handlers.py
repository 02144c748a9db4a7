"""How the team domain reacts to events."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from storeteam.accounts.models import User
from storeteam.core.events import Envelope, event_handler
from storeteam.core.mail import email_in_language
from storeteam.team.events import StaffMemberAdded
from storeteam.team.roles import ROLES_BY_CODE


@event_handler(StaffMemberAdded, name="team.invite_staff_member")
def invite_staff_member(event: StaffMemberAdded, envelope: Envelope) -> None:
    """Email the new member, in their language, a link to set their password and sign in."""
    user = User.objects.filter(pk=event.user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return  # gone, or already set up (e.g. created with a password): nothing to invite to
    link = settings.STORE_URL + reverse(
        "backoffice:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    email_in_language(
        to=user.email,
        language=event.language,
        template="team/email/invite",
        context={"user": user, "role": ROLES_BY_CODE[event.role], "link": link},
    )
