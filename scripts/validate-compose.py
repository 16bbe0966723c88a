#!/usr/bin/env python3
"""Validates compose/docker-compose.yml against the Compose Specification JSON schema
(fetched by scripts/bootstrap into .venv/compose_spec.json), with YAML anchors and merge
keys resolved as Docker Compose does, plus checks of what the contract requires."""
import json, os, sys
import yaml
from jsonschema import Draft7Validator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, ".venv", "compose_spec.json")) as f:
    schema = json.load(f)
with open(os.path.join(ROOT, "compose", "docker-compose.yml")) as f:
    doc = yaml.safe_load(f)
# Extension fields (x-*) are allowed by the spec; drop them as Compose does after merging.
doc = {k: v for k, v in doc.items() if not k.startswith("x-")}
problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft7Validator(schema).iter_errors(doc)]
services = doc.get("services", {})
for name, port in [("settings-service", "8081"), ("routing-service", "8082"), ("status-service", "8083"), ("report-service", "8084")]:
    s = services.get(name)
    if s is None:
        problems.append(f"missing service {name}"); continue
    env = s.get("environment", {})
    for key in ["KAFKA_BROKERS", "CC_HTTP_PORT", "CC_PARTITIONS", "CC_TOPIC_PREFIX", "CC_LOG_LEVEL", "CC_AUTH_JWKS_FILE"]:
        if key not in env: problems.append(f"{name}: environment lacks {key}")
    if env.get("CC_HTTP_PORT") != port: problems.append(f"{name}: CC_HTTP_PORT should be {port}")
    if "/readyz" not in " ".join(s.get("healthcheck", {}).get("test", [])): problems.append(f"{name}: no /readyz health check")
    if not any(str(v).endswith(":/data") for v in s.get("volumes", [])): problems.append(f"{name}: no volume for its SQLite data")
    if not any((x if isinstance(x, str) else x.get("source")) == "jwks" for x in s.get("secrets", [])):
        problems.append(f"{name}: no jwks secret for HTTP access")
    if s.get("build", {}).get("args", {}).get("SERVICE") != name: problems.append(f"{name}: builds the wrong service")
kafka = services.get("kafka", {})
if not str(kafka.get("image", "")).startswith("apache/kafka"): problems.append("kafka: not the official apache/kafka image")
if "controller" not in kafka.get("environment", {}).get("KAFKA_PROCESS_ROLES", ""): problems.append("kafka: not in KRaft mode")
for p in problems: print(p)
print(f"{len(services)} services, {len(problems)} problems")
sys.exit(1 if problems else 0)
