from insights.tests.world import acme_scope, analytics_world  # noqa: F401 — fixtures
