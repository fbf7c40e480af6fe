from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.actors import Actor
from accounts.selectors import api_token_get_usable
from accounts.services import api_token_record_use


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`; answers (user, ApiToken) with `token.role` set."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Malformed token.")) from error
        token = api_token_get_usable(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is invalid, expired or revoked."))
        api_token_record_use(token=token)
        token.actor = Actor.member(
            user=token.user, organization=token.organization, role=token.role
        )
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
