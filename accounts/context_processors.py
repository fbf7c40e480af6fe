def organizations(request):
    return {
        "memberships": getattr(request, "memberships", []),
        "active_organization": getattr(request, "organization", None),
        "active_membership": getattr(request, "membership", None),
    }
