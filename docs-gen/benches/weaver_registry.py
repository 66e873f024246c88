#!/usr/bin/env python3
"""Writes an OpenTelemetry Weaver registry with the same metrics and attributes as a docs-gen
catalog, for measuring `weaver registry check` beside `docs-gen check` on the same content.

    python3 docs-gen/benches/weaver_registry.py CATALOG.yaml OUT_DIR

Each label becomes a registry attribute (closed labels an enum of its values), each metric a
metric group referencing its attributes as required. What Weaver has no field for (PromQL
queries, value maps, buckets, dashboards) is left out: docs-gen checks more for the same catalog.
"""
import os
import re
import sys

import yaml


def member_id(value: str) -> str:
    ident = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_") or "empty"
    return ident if ident[0].isalpha() else "v_" + ident


def attribute_id(label_id: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "_", label_id.lower())


INSTRUMENTS = {"counter": "counter", "up_down_counter": "updowncounter", "histogram": "histogram", "gauge": "gauge"}


def main(catalog_path: str, out: str) -> None:
    with open(catalog_path, encoding="utf-8") as f:
        catalog = yaml.safe_load(f)
    attributes = []
    for label_id, label in sorted((catalog.get("labels") or {}).items()):
        attribute = {"id": attribute_id(label_id), "brief": label["description"], "stability": "development"}
        values = label.get("values")
        if values is not None:
            members, seen = [], set()
            for v in values:
                v = v["value"] if isinstance(v, dict) else v
                mid = member_id(str(v))
                while mid in seen:
                    mid += "_"
                seen.add(mid)
                members.append({"id": mid, "value": str(v), "stability": "development"})
            attribute["type"] = {"members": members}
        else:
            attribute["type"] = "string"
            attribute["examples"] = [str(e) for e in label.get("examples") or ["example"]]
        attributes.append(attribute)
    groups = [{"id": "registry.catalog", "type": "attribute_group", "brief": "Every attribute of the catalog.",
               "attributes": attributes}]
    for m in catalog["metrics"]:
        groups.append({
            "id": "metric." + m["name"],
            "type": "metric",
            "metric_name": m["name"],
            "instrument": INSTRUMENTS[m["instrument"]],
            "unit": m["unit"],
            "brief": m["description"],
            "stability": "development",
            "attributes": [{"ref": attribute_id(l), "requirement_level": "required"} for l in m.get("labels") or []],
        })
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "manifest.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump({"name": "catalog", "description": "Converted from " + os.path.basename(catalog_path),
                        "schema_url": "https://example.com/schemas/0.1.0"}, f)
    with open(os.path.join(out, "catalog.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": groups}, f, sort_keys=False, allow_unicode=True)
    print(f"{out}: {len(attributes)} attributes, {len(groups) - 1} metrics")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
