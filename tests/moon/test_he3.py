"""He-3 concentration and inventory: analytic answers, conservation, and the layer interface."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from moondust.errors import InputFileError
from moondust.moon import He3Map, MoonParameters, concentration_ppb
from moondust.moon.fluence import fluence_factor
from moondust.moon.layers import GridLayer

R_KM = 1737.4


def test_uniform_moon_integrates_to_concentration_times_regolith_mass() -> None:
    params = MoonParameters().with_overrides(
        {
            "he3_tio2_coefficient": 0.0,  # C = b everywhere
            "he3_background_ppb": 7.0,
            "regolith_mare_m": 5.0,
            "regolith_highland_m": 5.0,
            "density_mare_kg_m3": 1500.0,
            "density_highland_kg_m3": 1500.0,
        }
    )
    moon = He3Map(1.0, params)
    regolith_kg = 4 * math.pi * (R_KM * 1e3) ** 2 * 5.0 * 1500.0
    assert moon.inventory().total_kg == pytest.approx(7.0e-9 * regolith_kg, rel=1e-12)
    np.testing.assert_allclose(moon.he3_ppb, 7.0, rtol=1e-12)


def test_splits_add_up_exactly(moon_1deg: He3Map) -> None:
    inv = moon_1deg.inventory()
    assert inv.near_side_kg + inv.far_side_kg == pytest.approx(inv.total_kg, rel=1e-12)
    assert inv.maria_kg + inv.highlands_kg == pytest.approx(inv.total_kg, rel=1e-12)
    assert sum(m.kg for m in inv.by_mare) <= inv.maria_kg
    assert [m.kg for m in inv.by_mare] == sorted((m.kg for m in inv.by_mare), reverse=True)
    assert moon_1deg.he3_kg.sum() == pytest.approx(inv.total_kg, rel=1e-12)


def test_inventory_is_linear_in_thickness_and_density() -> None:
    base = He3Map(2.0).inventory()
    doubled = He3Map(
        2.0,
        MoonParameters().with_overrides({"regolith_mare_m": 9.0, "regolith_highland_m": 12.0}),
    ).inventory()
    assert doubled.total_kg == pytest.approx(2 * base.total_kg, rel=1e-12)
    denser = He3Map(
        2.0,
        MoonParameters().with_overrides(
            {"density_mare_kg_m3": 1700.0, "density_highland_kg_m3": 1700.0}
        ),
    ).inventory()
    assert denser.total_kg == pytest.approx(base.total_kg * 1700 / 1600, rel=1e-12)


@pytest.mark.parametrize("resolution", [0.25, 0.5, 2.0, 3.0])
def test_totals_do_not_depend_on_resolution(moon_1deg: He3Map, resolution: float) -> None:
    # The mare mask is 1° data; finer grids repeat it and resolve the fluence gradient better,
    # coarser ones average; totals agree to better than 1 %.
    ref = moon_1deg.inventory()
    other = He3Map(resolution).inventory()
    for key in ("total_kg", "near_side_kg", "maria_kg"):
        assert getattr(other, key) == pytest.approx(getattr(ref, key), rel=0.01)


def test_concentration_law_is_the_fa_jin_form() -> None:
    p = MoonParameters()
    assert concentration_ppb(7.0, 0.5, 0.2, p) == pytest.approx(0.56 * 7.0 * 0.5 / 0.2 + 1.62)
    # OMAT is clipped at the floor, keeping immature soil finite.
    assert concentration_ppb(7.0, 0.5, 0.0, p) == pytest.approx(0.56 * 7.0 * 0.5 / 0.05 + 1.62)


def test_class_model_uses_per_mare_tio2_where_sourced() -> None:
    moon = He3Map(1.0, tio2_model="class")
    tranquillitatis = moon.probe(8.35, 30.83)
    crisium = moon.probe(16.18, 59.10)
    imbrium = moon.probe(34.7, -14.9)
    assert tranquillitatis.mare == "Mare Tranquillitatis"
    assert tranquillitatis.tio2_wt_pct == pytest.approx(6.75)
    assert crisium.mare == "Mare Crisium" and crisium.tio2_wt_pct == pytest.approx(1.25)
    assert imbrium.mare == "Mare Imbrium" and imbrium.tio2_wt_pct == pytest.approx(3.38)


def test_far_side_maria_are_richer_than_near_side_maria_of_equal_tio2() -> None:
    # Johnson et al. 1999: highest He-3 in far-side maria because of greater fluence. Equal TiO2
    # is the class model's (both maria take the mare mean); measured TiO2 differs between them.
    moon = He3Map(1.0, tio2_model="class")
    moscoviense = moon.probe(27.5, 148.5)
    imbrium = moon.probe(34.7, -14.9)
    assert moscoviense.tio2_wt_pct == pytest.approx(imbrium.tio2_wt_pct, rel=0.15)
    assert moscoviense.mare == "Mare Moscoviense"
    assert moscoviense.he3_ppb > imbrium.he3_ppb


def test_probe_reports_every_layer_consistently(moon_1deg: He3Map) -> None:
    p = moon_1deg.probe(0.674, 23.473)
    assert p.fluence_factor == pytest.approx(float(fluence_factor(p.cell_lat_deg, p.cell_lon_deg)))
    expected = concentration_ppb(p.tio2_wt_pct, p.fluence_factor, p.omat, moon_1deg.params)
    assert p.mare_fraction == 1.0 and p.he3_ppb == pytest.approx(expected)
    assert (
        moon_1deg.probe(0.674, 23.473 + 360 - 360).he3_ppb == moon_1deg.probe(0.674, 23.473).he3_ppb
    )


def test_poles_are_highland_with_background_only(moon_1deg: He3Map) -> None:
    for lat in (-89.9, 89.9, 75.0, -75.0):
        probe = moon_1deg.probe(lat, 0.0)
        assert probe.mare_fraction == 0.0
    assert moon_1deg.probe(89.9, 0).he3_ppb == pytest.approx(1.62, abs=0.02)


def test_dataset_carries_layers_and_units(moon_1deg: He3Map) -> None:
    ds = moon_1deg.to_dataset()
    assert ds["he3_ppb"].attrs["units"] == "ppb"
    assert ds["he3_kg"].sum().item() == pytest.approx(moon_1deg.inventory().total_kg)
    assert set(ds.dims) == {"lat", "lon"}
    assert not np.isnan(ds["he3_ppb"]).any()


# --- a user's own TiO2 map through the layer interface ------------------------------------------


def _uniform_tio2_moon(path: Path) -> He3Map:
    return He3Map(1.0, tio2=path)


@pytest.fixture()
def uniform_tio2_matrix() -> np.ndarray:
    return np.full((180, 360), 5.0)


def test_npy_tio2_map_replaces_class_values(
    tmp_path: Path, uniform_tio2_matrix: np.ndarray
) -> None:
    path = tmp_path / "tio2.npy"
    np.save(path, uniform_tio2_matrix)
    moon = _uniform_tio2_moon(path)
    p = moon.probe(10.5, 100.5)
    assert p.tio2_wt_pct == pytest.approx(5.0)
    assert p.he3_ppb == pytest.approx(
        float(concentration_ppb(5.0, p.fluence_factor, p.omat, moon.params))
    )


def test_matrix_orientation_row_zero_is_north(tmp_path: Path) -> None:
    matrix = np.zeros((180, 360))
    matrix[0, :] = 9.0  # northernmost band only
    path = tmp_path / "north.npy"
    np.save(path, matrix)
    moon = He3Map(1.0, tio2=path)
    assert moon.probe(89.5, 0).tio2_wt_pct == pytest.approx(9.0)
    assert moon.probe(-89.5, 0).tio2_wt_pct == pytest.approx(0.0)


def test_csv_forms_agree_with_npy(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    matrix = rng.uniform(0.5, 8.0, size=(90, 180))  # a 2° map
    np.save(tmp_path / "m.npy", matrix)
    np.savetxt(tmp_path / "matrix.csv", matrix, delimiter=",")
    lat = np.linspace(89, -89, 90)
    lon = np.linspace(-179, 179, 180)
    lat_grid, lon_grid = np.meshgrid(lat, lon, indexing="ij")
    tidy = np.column_stack([lat_grid.ravel(), lon_grid.ravel() % 360, matrix.ravel()])
    np.savetxt(tmp_path / "tidy.csv", tidy, delimiter=",", header="lat,lon,tio2", comments="")
    values = [
        He3Map(1.0, tio2=tmp_path / name).tio2_wt_pct
        for name in ("m.npy", "matrix.csv", "tidy.csv")
    ]
    np.testing.assert_allclose(values[0], values[1])
    np.testing.assert_allclose(values[0], values[2])


def test_coarser_grid_averages_a_finer_layer_by_area() -> None:
    values = np.zeros((180, 360))
    values[:, :180] = 2.0  # west half 2, east half 0
    layer = GridLayer(values, -90, 90, "x", "1", "test")
    from moondust.moon.grid import MoonGrid

    coarse = layer.on(MoonGrid(90.0))
    np.testing.assert_allclose(coarse, [[2, 2, 0, 0], [2, 2, 0, 0]])


def test_geotiff_tio2_map(tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    matrix = np.full((180, 360), 4.0, dtype="float32")
    matrix[:90] = 6.0  # north half richer
    path = tmp_path / "tio2.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=180,
        width=360,
        count=1,
        dtype="float32",
        transform=from_origin(-180, 90, 1, 1),
    ) as dst:
        dst.write(matrix, 1)
    moon = He3Map(1.0, tio2=path)
    assert moon.probe(45, 10).tio2_wt_pct == pytest.approx(6.0)
    assert moon.probe(-45, 10).tio2_wt_pct == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.npy", np.zeros((10, 10)), "twice as many columns"),
        ("bad3d.npy", np.zeros((2, 4, 8)), "2-D"),
        ("text.csv", "lat,lon,tio2\n0,0,abc\n", "non-numeric"),
        ("irregular.csv", "lat,lon,tio2\n0,0,1\n0,1,1\n3,7,1\n", "regular"),
        ("twovalues.csv", "lat,lon,a,b\n0,0,1,2\n", "exactly one value column"),
        ("map.png", b"not an image", "unsupported"),
        ("broken.tif", b"not a tiff", "GeoTIFF"),
    ],
)
def test_bad_rasters_get_a_clear_error(
    tmp_path: Path, name: str, content: object, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, np.ndarray):
        np.save(path, content)
        path = path.with_suffix(".npy") if path.suffix != ".npy" else path
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(str(content))
    if name.endswith(".tif"):
        pytest.importorskip("rasterio")
    with pytest.raises(InputFileError, match=message):
        He3Map(1.0, tio2=path)


def test_negative_tio2_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "neg.npy"
    np.save(path, np.full((180, 360), -1.0))
    with pytest.raises(InputFileError, match="≥ 0"):
        He3Map(1.0, tio2=path)


def test_missing_cells_fall_back_to_class_values(tmp_path: Path) -> None:
    matrix = np.full((180, 360), np.nan)
    matrix[:, 180:] = 2.0  # east half only
    path = tmp_path / "half.npy"
    np.save(path, matrix)
    moon = He3Map(1.0, tio2=path)
    assert moon.probe(-8.97, -30.0).tio2_wt_pct == pytest.approx(moon_default_tio2(-8.97, -30.0))
    assert moon.probe(-8.97, 15.5).tio2_wt_pct == pytest.approx(2.0)


def moon_default_tio2(lat: float, lon: float) -> float:
    return He3Map(1.0).probe(lat, lon).tio2_wt_pct
