from core import tenancy


class TenantScopeEntryMiddleware:
    """First of all: a request starts with no tenant scope, whoever serves it.

    The scope is then set from the session (accounts.middleware.ActiveOrganizationMiddleware)
    or the API token (core.api.views.ScopedAPIView), and the database's row-level security
    shows nothing to a statement run before or without one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with tenancy.entry_point():
            return self.get_response(request)
