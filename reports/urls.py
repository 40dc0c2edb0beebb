"""The annual surveillance reports of cities and agencies, beside their pages."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = []
for kind in ("city", "agency"):
    prefix = "cities" if kind == "city" else "agencies"
    urlpatterns += [
        path(
            f"{prefix}/<slug:slug>/report/",
            views.report_index,
            {"kind": kind},
            name=f"{kind}-index",
        ),
        path(
            f"{prefix}/<slug:slug>/report/<int:year>/",
            views.report_page,
            {"kind": kind},
            name=f"{kind}-report",
        ),
        path(
            f"{prefix}/<slug:slug>/report/<int:year>/report.pdf",
            views.report_pdf,
            {"kind": kind},
            name=f"{kind}-pdf",
        ),
        path(
            f"{prefix}/<slug:slug>/report/<int:year>/tables.zip",
            views.report_zip,
            {"kind": kind},
            name=f"{kind}-zip",
        ),
        path(
            f"{prefix}/<slug:slug>/report/<int:year>/<slug:table>.csv",
            views.report_csv,
            {"kind": kind},
            name=f"{kind}-csv",
        ),
    ]
