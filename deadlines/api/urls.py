from rest_framework.routers import SimpleRouter

from deadlines.api.views import RuleSettingViewSet

router = SimpleRouter()
router.register("rules", RuleSettingViewSet, basename="rule-setting")
urlpatterns = router.urls
