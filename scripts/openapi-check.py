#!/usr/bin/env python3
"""docs/openapi.yaml for the test suite.

  openapi-check.py validate FILE   exits 1 unless FILE is a valid OpenAPI 3.1 document (openapi-spec-validator)
  openapi-check.py routes FILE     prints the GET routes as JSON: [{"path", "tag", "status200Types": [...]}]
"""
import json
import sys

import yaml
from openapi_spec_validator import validate


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("validate", "routes"):
        sys.exit(__doc__)
    with open(sys.argv[2]) as f:
        doc = yaml.safe_load(f)
    if sys.argv[1] == "validate":
        validate(doc)
        print(f"valid OpenAPI {doc['openapi']}: {len(doc['paths'])} paths")
        return
    routes = []
    for path, item in doc["paths"].items():
        get = item["get"]
        routes.append({"path": path, "tag": get["tags"][0],
                       "status200Types": sorted(get["responses"]["200"].get("content", {}).keys()),
                       "open": get.get("security") == []})
    print(json.dumps(routes))


if __name__ == "__main__":
    main()
