"""Reading tambon layers: schemas, engines, formats, gazetteer reconciliation, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import planmap_gis as pm
from planmap_gis._geo import projected
from planmap_gis._schema import TAMBON_COLUMNS


def _write(gdf: gpd.GeoDataFrame, path: Path, **kwargs) -> Path:
    gdf.to_file(path, engine="pyogrio", **kwargs)
    return path


# --- the real layers ---------------------------------------------------------

@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_nst_layer_reads_with_both_engines(nst_path, engine):
    tambons, _ = pm.read_boundaries(nst_path, engine=engine)

    assert list(tambons.columns) == list(TAMBON_COLUMNS)
    assert len(tambons) == 170
    assert tambons.amphoe_code.nunique() == 23
    assert tambons.crs.to_epsg() == 4326
    assert tambons.tambon_code.is_monotonic_increasing
    assert tambons.tambon_code.str.fullmatch(r"80\d{4}").all()


def test_truncated_names_are_repaired_and_reported(nst_path):
    tambons, report = pm.read_boundaries(nst_path)

    mueang = tambons.loc[tambons.amphoe_code == "8001", "amphoe_th"].unique()
    assert list(mueang) == ["เมืองนครศรีธรรมราช"]
    pak_phanang = tambons.set_index("tambon_code").loc[["801210", "801214"], "tambon_th"]
    assert list(pak_phanang) == ["ปากพนังฝั่งตะวันตก", "ปากพนังฝั่งตะวันออก"]
    repaired = report.problems.query("column == 'amphoe_th'")
    assert repaired.value.tolist() == ["เมืองนครศรีธรรมร"]
    assert "truncated" in repaired.message_en.iloc[0]
    assert report.rows_in == report.rows_loaded == 170 and report.balanced()


def test_national_layer_reports_codes_found_on_one_side_only(tha_path):
    with pytest.warns(pm.PlanmapWarning, match="need attention"):
        tambons, report = pm.read_boundaries(tha_path)

    assert len(tambons) == 7425
    assert tambons.province_code.nunique() == 77
    problems = report.problems
    # In the file only (abolished in Bangkok and Uttaradit): kept, with the successors named.
    only_file = problems[problems.message_en.str.contains("not in the DOPA gazetteer")]
    assert set(only_file.value) == {"104701", "105001", "530306"}
    assert set(only_file.value) <= set(tambons.tambon_code)
    assert only_file.message_en.str.contains("succeeded by").all()
    # In the gazetteer only: reported with no row.
    only_gaz = problems[problems.message_en.str.contains("has no polygon in this file")]
    assert len(only_gaz) == 14 and only_gaz.row.isna().all()
    assert "104702" in set(only_gaz.value)


def test_amphoes_and_provinces_dissolve_without_losing_area(nst_tambons):
    amphoe = pm.amphoes(nst_tambons)
    province = pm.provinces(nst_tambons)

    assert len(amphoe) == 23 and amphoe.n_tambon.sum() == 170
    assert amphoe.set_index("amphoe_code").at["8001", "amphoe_th"] == "เมืองนครศรีธรรมราช"
    assert province.iloc[0].to_dict() | {"geometry": None} == {
        "province_code": "80", "province_th": "นครศรีธรรมราช",
        "province_en": "Nakhon Si Thammarat", "n_amphoe": 23, "n_tambon": 170, "geometry": None,
    }
    total = projected(nst_tambons.geometry).area.sum()
    assert projected(amphoe.geometry).area.sum() == pytest.approx(total, rel=1e-9)
    assert projected(province.geometry).area.sum() == pytest.approx(total, rel=1e-9)


def test_errors_are_value_errors():
    assert issubclass(pm.SchemaError, pm.PlanmapError)
    assert issubclass(pm.PlanmapError, ValueError)


def test_manifest_matches_the_boundaries_readme():
    readme = (Path(__file__).resolve().parents[1] / "boundaries" / "README.md").read_text("utf-8")
    for entry in pm.manifest()["files"]:
        assert entry["name"] in readme and entry["sha256"] in readme
    assert json.dumps(pm.manifest())  # serialisable, as the CLI prints it


@pytest.mark.parametrize("name", ["80", "TH80", "นครศรีธรรมราช", "จ.นครศรีธรรมราช", "จังหวัดนครศรีธรรมราช",
                                  "Nakhon Si Thammarat", "nakhon si thammarat", 80])
def test_a_province_by_code_or_name_from_the_packaged_layer(name, no_reference):
    tambons, _ = pm.read_boundaries(province=name)
    assert len(tambons) == 170 and tambons.amphoe_code.nunique() == 23
    assert tambons.amphoe_th.tolist().count("เมืองนครศรีธรรมราช") == 16  # full gazetteer names


def test_the_packaged_province_is_the_official_outline_within_100_m(nst_tambons, detailed_path, no_reference):
    """Issue 28: the packaged NST tambon lie within 100 m of the official (detailed) outline, where the
    simplified file strays 6 km; codes and names are those of the shared file."""
    import shapely

    packaged, _ = pm.read_boundaries(province="80")
    pd.testing.assert_frame_equal(packaged.drop(columns=["geometry", "boundary_fidelity"]),
                                  nst_tambons.drop(columns="geometry"))
    assert (packaged["boundary_fidelity"] == "detailed").all()
    official = gpd.read_parquet(detailed_path, filters=[("adm1_pcode", "==", "TH80")])
    official = official.set_index(official["adm3_pcode"].str[2:]).reindex(packaged["tambon_code"])
    a = projected(packaged.geometry).boundary.values
    b = projected(gpd.GeoSeries(official.geometry.values, crs=4326)).boundary.values
    error = shapely.hausdorff_distance(a, b)
    assert error.max() <= 100 and error.max() == pytest.approx(pm.manifest()["packaged"]["provinces"]["TH80"][
        "max_error_m"], abs=1)
    coarse = shapely.hausdorff_distance(projected(nst_tambons.geometry).boundary.values, b)
    assert coarse.max() > 5000  # what the maps were drawn on before
    assert shapely.get_num_coordinates(packaged.geometry.values).sum() > 20 * 1293


def test_amphoe_within_a_province_and_several_provinces(no_reference):
    thung_song, _ = pm.read_boundaries(province="นครศรีธรรมราช", amphoe=["ทุ่งสง", "อ.เมือง"])
    assert set(thung_song.amphoe_code) == {"8001", "8009"}
    two, _ = pm.read_boundaries(province=["80", "Songkhla"])
    assert set(two.province_code) == {"80", "90"}
    assert set(pm.read_boundaries(amphoe="8011")[0].amphoe_code) == {"8011"}


def test_unknown_and_ambiguous_places_list_the_candidates(no_reference):
    with pytest.raises(pm.SchemaError, match=r"no province is called 'Songkla'.*สงขลา \(Songkhla, 90\)") as e:
        pm.read_boundaries(province="Songkla")
    assert "ไม่พบจังหวัดชื่อ Songkla" in e.value.message_th
    with pytest.raises(pm.SchemaError, match="amphoe 'เมืองนครศรีธรรมราช'|no amphoe"):
        pm.read_boundaries(province="90", amphoe="เมืองนครศรีธรรมราช")
    with pytest.raises(pm.SchemaError, match=r"is ambiguous: .*8023, จ.นครศรีธรรมราช"):
        pm.read_boundaries(amphoe="เฉลิมพระเกียรติ")  # five provinces have one
    assert set(pm.read_boundaries(province="80", amphoe="เฉลิมพระเกียรติ")[0].amphoe_code) == {"8023"}


def test_a_file_cut_to_a_province_it_does_not_hold(nst_path):
    with pytest.raises(pm.SchemaError, match="no tambon of 90 in this layer"):
        pm.read_boundaries(nst_path, province="90")


def test_a_plan_on_coarse_outlines_says_so_on_every_output(no_reference):
    """Issue 28: the nine provinces the detailed source lacks keep the simplified outlines; a plan on
    them carries a note (every map's source line, the workbook, the web map) saying so and how to do better."""
    from planmap_gis import demo

    data = demo.load(province="67")
    assert (data.tambons["boundary_fidelity"] == "simplified").all()
    areas = pm.village_areas(data.villages, data.tambons)
    plan = pm.analyse(data.tambons, data.projects.head(20), villages=areas, permutations=0)
    assert any("Coarse tambon outlines" in n and "planmap boundaries import" in n for n in plan.notes)
    from planmap_gis.draw.printed.elements import footer_text
    assert "เส้นขอบเขตตำบลของจังหวัดเพชรบูรณ์เป็นแบบย่ออย่างหยาบ" in footer_text(plan.notes)
    fine = demo.load()
    plan = pm.analyse(fine.tambons, fine.projects.head(20), villages=pm.village_areas(fine.villages, fine.tambons),
                      permutations=0)
    assert not any("Coarse" in n for n in plan.notes)


def test_english_names_the_gazetteer_cut_or_misspelt_keep_the_file_s(no_reference):
    """Issue 28: the gazetteer's English has warts ("Padang Besa", "Lan SaKa"); where it is a cut of the
    file's name or differs only in capitals, the file's stands; elsewhere the gazetteer's (Phrom Lok)."""
    songkhla, _ = pm.read_boundaries(province="90")
    assert songkhla.set_index("tambon_code").loc["901007", "tambon_en"] == "Padang Besar"
    nst, _ = pm.read_boundaries(province="80")
    assert "Lan Saka" in set(nst.amphoe_en) and "Lan SaKa" not in set(nst.amphoe_en)
    assert nst.set_index("tambon_code").loc["800201", "tambon_en"] == "Phrom Lok"
