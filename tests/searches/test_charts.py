"""The search-audit figures (searches/charts.py): stacked monthly categories and flagged searches
per state, as the plain plotly.js figures the pages embed."""

import datetime as dt

from searches import charts
from searches.selectors.stats import CategoryTotal, FlaggedGroup, SearchStats
from tests.helpers import figure_of


def _stats(categories: int) -> SearchStats:
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    totals = [
        CategoryTotal(id=n, name=f"Category {n}", slug=f"c{n}", kind="offense", searches=100 - n)
        for n in range(1, categories + 1)
    ]
    totals.append(CategoryTotal(id=None, name="", slug="", kind="other", searches=1))
    monthly = {(month, c.id): c.searches + i for c in totals for i, month in enumerate(months)}
    return SearchStats(
        total=sum(monthly.values()), months=months, categories=totals, monthly=monthly
    )


def test_the_monthly_chart_stacks_the_largest_categories_and_sums_the_rest():
    stats = _stats(8)
    html = str(charts.monthly_category_chart(stats=stats, div_id="searches-city-chart"))
    assert 'style="min-height: 380px"' in html
    figure = figure_of(html)
    data = figure["data"]
    assert {t["type"] for t in data} == {"bar"}
    # Seven categories of their own, then one series for the other two (Category 8, unclassified).
    assert [t["name"] for t in data] == [f"Category {n}" for n in range(1, 8)] + [
        "Other categories (2)"
    ]
    assert [t["marker"]["color"] for t in data] == [*charts.CATEGORY_COLORS[:7], "#8C959F"]
    assert data[0]["y"] == [99, 100] and data[-1]["y"] == [92 + 1, 93 + 2]
    assert data[0]["x"] == ["2026-01-01", "2026-02-01"]
    assert data[0]["customdata"] == ["January 2026", "February 2026"]
    assert data[0]["xperiod"] == "M1" and data[0]["xperiodalignment"] == "middle"
    assert data[0]["hovertemplate"] == "%{customdata}: %{y:,}<extra>Category 1</extra>"
    layout = figure["layout"]
    assert layout["barmode"] == "stack" and layout["bargap"] == 0.2
    assert layout["xaxis"] == {
        "type": "date",
        "tickformat": "%b %Y",
        "automargin": True,
        "ticklabelmode": "period",
    }
    assert layout["yaxis"]["title"] == {"text": "Searches"}
    assert "template" not in layout


def test_an_unclassified_category_is_named_so():
    figure = figure_of(charts.monthly_category_chart(stats=_stats(1), div_id="c", height=300))
    assert [t["name"] for t in figure["data"]] == ["Category 1", "Not yet classified"]
    assert figure["layout"]["height"] == 300


def _group(label: str, **by_primary: int) -> FlaggedGroup:
    total = sum(by_primary.values())
    return FlaggedGroup(key=label, label=label, total=total, by_flag={}, by_primary=by_primary)


def test_the_national_chart_stacks_each_states_flagged_searches_by_primary_flag():
    groups = [
        _group("Texas & Co", immigration=40, protest=3),
        _group("Illinois", immigration=5, forbidden_use=2),
    ]
    html = str(charts.flagged_by_state_chart(groups=groups, div_id="national-chart"))
    # 36 px a state and room for the legend, at least 200.
    assert 'style="min-height: 200px"' in html
    figure = figure_of(html)
    data = figure["data"]
    # Only the flags with searches; the largest state on top (plotly draws categories upward).
    assert [(t["type"], t["orientation"], t["name"]) for t in data] == [
        ("bar", "h", "Immigration"),
        ("bar", "h", "Protest or First Amendment activity"),
        ("bar", "h", "Other use forbidden by state law"),
    ]
    assert all(t["y"] == ["Illinois", "Texas &amp; Co"] for t in data)
    assert [t["x"] for t in data] == [[5, 40], [0, 3], [2, 0]]
    assert [t["marker"]["color"] for t in data] == ["#D55E00", "#E69F00", "#8F1414"]
    assert data[0]["hovertemplate"] == "%{y}: %{x:,}<extra>Immigration</extra>"
    layout = figure["layout"]
    assert layout["barmode"] == "stack" and layout["yaxis"]["type"] == "category"
    many = [_group(f"State {n}", protest=n) for n in range(1, 11)]
    tall = figure_of(charts.flagged_by_state_chart(groups=many, div_id="n"))
    assert tall["layout"]["height"] == 36 * 10 + 110
