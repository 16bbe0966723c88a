#!/usr/bin/env python3
"""The official CloudEvents Python SDK (cloudevents 2.x, Kafka binding) against the services' events.

  cloudevents-sdk.py parse-outputs FILE   FILE: one base64 Kafka message value per line, as the services produce
                                          them (structured mode). Each is read with from_structured, written again
                                          in binary mode and read back with from_binary; prints how many passed,
                                          and exits 1 naming the first that did not.
  cloudevents-sdk.py write-inputs         Prints, one JSON object per line, a cc.call.offered.v1 event written by
                                          the SDK in each mode it offers (structured or binary, data as a dict or
                                          as JSON bytes): {"mode", "key", "headers": {name: base64}, "value": base64}.
"""
import base64
import json
import sys

from cloudevents.v1.http import CloudEvent
from cloudevents.v1.kafka import KafkaMessage, from_binary, from_structured, to_binary, to_structured

ATTRIBUTES = ("specversion", "id", "source", "type", "time", "tenantid")


def parse_outputs(path):
    count = 0
    with open(path) as f:
        for n, line in enumerate(f, 1):
            value = base64.b64decode(line.strip())
            message = KafkaMessage(headers={"content-type": b"application/cloudevents+json"}, key=None, value=value)
            event = from_structured(message)
            missing = [a for a in ATTRIBUTES if not event.get(a)]
            if missing:
                sys.exit(f"line {n}: attributes missing after from_structured: {missing}")
            if not isinstance(event.get_data(), dict):
                sys.exit(f"line {n}: data is not a JSON object: {event.get_data()!r}")
            again = from_binary(to_binary(event, key_mapper=lambda e: e["tenantid"]))
            for a in ATTRIBUTES + ("subject", "datacontenttype"):
                if again.get(a) != event.get(a):
                    sys.exit(f"line {n}: {a} differs after binary mode: {again.get(a)!r} != {event.get(a)!r}")
            data = again.get_data()
            if isinstance(data, (bytes, str)):
                data = json.loads(data)
            if data != event.get_data():
                sys.exit(f"line {n}: data differs after binary mode")
            count += 1
    print(f"parsed {count} events with the CloudEvents SDK (structured, then binary)")


def write_inputs():
    data = {"callId": "sdk-call", "callCenterId": "cc1", "callerNumber": "+81311112222",
            "dialedNumber": "+81399990000", "at": "2027-01-15T08:00:00Z"}
    for mode, writer in (("structured", to_structured), ("binary", to_binary)):
        for form, payload in (("dict", data), ("bytes", json.dumps(data).encode())):
            attributes = {"type": "cc.call.offered.v1", "source": "/sdk", "id": f"sdk-{mode}-{form}",
                          "time": "2027-01-15T08:00:00Z", "tenantid": "tenant-sdk", "partitionkey": "tenant-sdk",
                          "datacontenttype": "application/json"}
            event = CloudEvent(attributes, payload)
            # Bytes data goes out as it is in binary mode (the SDK's JSON marshaller refuses bytes there).
            message = to_binary(event, data_marshaller=lambda d: d) if writer is to_binary and form == "bytes" else writer(event)
            print(json.dumps({
                "mode": f"{mode} ({form} data)",
                "key": message.key.decode() if isinstance(message.key, bytes) else message.key,
                "headers": {k: base64.b64encode(v if isinstance(v, bytes) else v.encode()).decode()
                            for k, v in message.headers.items()},
                "value": base64.b64encode(message.value).decode(),
            }))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "parse-outputs":
        parse_outputs(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "write-inputs":
        write_inputs()
    else:
        sys.exit(__doc__)
