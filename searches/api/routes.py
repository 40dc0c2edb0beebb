"""The search-audit endpoints, registered on the public API router by ``portal/api/urls.py``."""

from rest_framework.routers import BaseRouter

from searches.api.views import (
    ImportJobViewSet,
    ReasonCategoryViewSet,
    SearchStatsViewSet,
    SearchViewSet,
)


def register(router: BaseRouter) -> None:
    router.register("searches", SearchViewSet, basename="search")
    router.register("search-stats", SearchStatsViewSet, basename="search-stats")
    router.register("reason-categories", ReasonCategoryViewSet, basename="reason-category")
    router.register("imports", ImportJobViewSet, basename="import")
