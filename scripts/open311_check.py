"""External Open311 check (not run by CI): the `georeport` client from PyPI against a running gonghui.

Run it in a throwaway venv, never the project's:
    python3.11 -m venv /tmp/open311-venv && /tmp/open311-venv/bin/pip install georeport==0.3.1
    /tmp/open311-venv/bin/python scripts/open311_check.py http://127.0.0.1:8300/open311/v2 <api key>

The key is an ApiKey with 查看诉求工单 and 受理与派单 at a 市总 (工作台 → 接口密钥). georeport 0.3.1 reads (services,
a service's definition, requests, one request) and has no call to create a request, so the POST is sent with `requests`
(georeport's own dependency) as the spec's form body, and is then read back through georeport without a key (the
public fields) and with the key (in full).
"""
from __future__ import annotations

import json
import sys

import requests
from georeport import GeoReport


def show(label: str, value) -> None:
    print(f"--- {label}")
    print(json.dumps(value, ensure_ascii=False, indent=1)[:1500])


def main(root: str, key: str) -> int:
    public = GeoReport(root)  # georeport sends no key on reads
    services = public.get_service_list()
    show("services.json (georeport.get_service_list)", [(s["service_code"], s["service_name"], s["type"]) for s in services])
    definition = public.get_service_definition("complaint")
    show("services/complaint.json (georeport.get_service_definition)",
         [(a["code"], a["datatype"], a["required"]) for a in definition["attributes"]])

    posted = requests.post(f"{root}/requests.json", data={
        "api_key": key, "service_code": "complaint", "address_string": "广州市天河区石牌街道五山路", "lat": "23.1552",
        "long": "113.3485", "last_name": "陈", "first_name": "志强", "phone": "13712345678",
        "description": "工地包工头拖欠我们八名工人两个月工资，约四万元，多次讨要无果。",
        "attribute[employer_name]": "广州某建筑劳务有限公司", "attribute[affected_count]": "8", "attribute[topic]": "wages",
    }, timeout=30)
    show(f"POST requests.json → HTTP {posted.status_code}", posted.json())
    posted.raise_for_status()
    number = posted.json()[0]["service_request_id"]

    show("requests.json, keyless (georeport.get_service_requests, first 3)", public.get_service_requests(status="open")[:3])
    show(f"requests/{number}.json, keyless (georeport.get_service_request)", public.get_service_request(number))
    own = requests.get(f"{root}/requests/{number}.json", params={"api_key": key}, timeout=30)
    show(f"requests/{number}.json with the key → HTTP {own.status_code}", own.json())
    token = posted.json()[0]["token"]
    show(f"tokens/{token}.json", requests.get(f"{root}/tokens/{token}.json", timeout=30).json())
    refused = requests.post(f"{root}/requests.json", data={"service_code": "complaint", "description": "没有密钥的提交"}, timeout=30)
    show(f"POST without a key → HTTP {refused.status_code}", refused.json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
