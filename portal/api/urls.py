"""Routes of the public API, mounted at /api/v1/ with a browsable root listing them."""

from rest_framework.routers import DefaultRouter

from cameras.api.views import CameraViewSet, SharingAgreementViewSet, TransparencySnapshotViewSet
from compare.api import register_compare
from datasets.api import DatasetViewSet
from exports.api import ExportJobViewSet
from hearings.api.hearings import register_hearings
from petitions.api import register_petitions
from portal.api.views import AgencyViewSet, CityViewSet, StateLawProfileViewSet
from records.api.views import register_records
from searches.api.routes import register as register_searches
from watch.api import register_watch

app_name = "api"

router = DefaultRouter()
router.register("cities", CityViewSet, basename="city")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("cameras", CameraViewSet, basename="camera")
router.register("sharing-agreements", SharingAgreementViewSet, basename="sharing-agreement")
router.register("snapshots", TransparencySnapshotViewSet, basename="snapshot")
router.register("state-laws", StateLawProfileViewSet, basename="state-law")
register_searches(router)
register_hearings(router)
register_petitions(router)
register_watch(router)
register_records(router)
router.register("exports", ExportJobViewSet, basename="export")
router.register("datasets", DatasetViewSet, basename="dataset")
register_compare(router)

urlpatterns = router.urls
