#!/usr/bin/env python3
"""Independent checks of the event contract, used by the Swift tests.

  validate-events.py events DIR      validate every DIR/*.json event against docs/schemas/<its type>.json
  validate-events.py asyncapi        check docs/asyncapi.yaml parses and names every topic of the contract

Exit 0 when everything is valid; otherwise prints each problem and exits 1."""
import glob, json, os, sys
import yaml
from jsonschema import Draft202012Validator, FormatChecker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTRACT_TOPICS = ["cc.config", "cc.settings.commands", "cc.settings.events", "cc.telephony.events",
                   "cc.routing.decisions", "cc.call.commands", "cc.agent.status", "cc.usage", "cc.deadletter",
                   "cc.{service}.changelog"]

def events(directory):
    problems, count = [], 0
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path) as f:
            event = json.load(f)
        schema_path = os.path.join(ROOT, "docs", "schemas", f"{event.get('type')}.json")
        if not os.path.exists(schema_path):
            problems.append(f"{os.path.basename(path)}: no schema for type {event.get('type')!r}")
            continue
        with open(schema_path) as f:
            schema = json.load(f)
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        for error in validator.iter_errors(event):
            problems.append(f"{os.path.basename(path)}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        count += 1
    for p in problems:
        print(p)
    print(f"{count} events checked, {len(problems)} problems")
    return 1 if problems or count == 0 else 0

def asyncapi():
    with open(os.path.join(ROOT, "docs", "asyncapi.yaml")) as f:
        doc = yaml.safe_load(f)
    problems = []
    if not str(doc.get("asyncapi", "")).startswith("3."):
        problems.append("not an AsyncAPI 3 document")
    addresses = {c.get("address") for c in doc.get("channels", {}).values()}
    for t in CONTRACT_TOPICS:
        if t not in addresses:
            problems.append(f"topic {t} is not a channel")
    messages = doc.get("components", {}).get("messages", {})
    for name, m in messages.items():
        ref = m.get("payload", {}).get("$ref", "")
        if not os.path.exists(os.path.join(ROOT, "docs", ref)):
            problems.append(f"message {name}: payload {ref} missing")
    for p in problems:
        print(p)
    print(f"{len(addresses)} channels, {len(messages)} messages, {len(problems)} problems")
    return 1 if problems else 0

if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "events":
        sys.exit(events(sys.argv[2]))
    if len(sys.argv) == 2 and sys.argv[1] == "asyncapi":
        sys.exit(asyncapi())
    print(__doc__)
    sys.exit(2)
