"""Named places: landing sites agree with the IAU gazetteer; maria assignment."""

from __future__ import annotations

import pytest

from moondust.datafiles import read_csv
from moondust.moon.features import landing_sites, maria, nearest_feature
from moondust.moon.grid import angular_distance_deg

# The landing-site file cites a nearby IAU landing-site name for each site; the two must agree.
GAZETTEER_CHECK = {
    "Apollo 11": "Statio Tranquillitatis",
    "Apollo 12": "Surveyor",
    "Apollo 14": "Doublet",
    "Apollo 15": "Last",
    "Apollo 16": "Plum",
    "Apollo 17": "Trident",
    "Chang'e 3": "Guang Han Gong",
    "Chang'e 4": "Statio Tianhe",
}


@pytest.mark.parametrize(("site", "feature"), GAZETTEER_CHECK.items())
def test_landing_sites_lie_at_their_gazetteer_features(site: str, feature: str) -> None:
    sites = landing_sites().set_index("site")
    gazetteer = read_csv("moon", "iau_moon_gazetteer_all_features.csv")
    row = gazetteer[gazetteer["name"] == feature].iloc[0]
    km = (
        float(
            angular_distance_deg(
                sites.at[site, "lat_deg"],
                sites.at[site, "lon_deg_east"],
                row["center_lat_deg"],
                row["center_lon_deg_east_pm180"],
            )
        )
        * 3.1416
        / 180
        * 1737.4
    )
    assert km < 2.0


def test_every_landing_site_has_provenance() -> None:
    table = landing_sites()
    assert table["source"].str.len().min() > 10
    assert set(table["status"]) <= {"sourced", "secondary", "derived", "unconfirmed"}


def test_nearest_feature_names_a_mare_at_its_centre() -> None:
    catalogue = maria()
    i = catalogue.names.index("Mare Crisium")
    found = nearest_feature(float(catalogue.lat_deg[i]), float(catalogue.lon_deg[i]))
    assert found.name == "Mare Crisium" and found.distance_km < 1


def test_catalogue_uses_current_gazetteer_values() -> None:
    # IAU Gazetteer (current): Crisium is 16.18 N, 59.10 E, 555.9 km, not the old 17.0 N / 418 km.
    catalogue = maria()
    i = catalogue.names.index("Mare Crisium")
    assert catalogue.lat_deg[i] == pytest.approx(16.18, abs=0.01)
    assert 2 * catalogue.radius_deg[i] * 3.14159265 / 180 * 1737.4 == pytest.approx(555.9, abs=0.5)
