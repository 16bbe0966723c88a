#!/usr/bin/env python3
"""Writes docs/schemas/<type>.json (JSON Schema 2020-12, one per CloudEvents type)
and docs/asyncapi.yaml (AsyncAPI 3.0) from the table below, which restates
CONTRACT.md. Run it after changing the contract; the tests check Swift's events
against what it writes."""
import json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S = lambda **kw: {"type": "string", **kw}
I = lambda **kw: {"type": "integer", **kw}
N = lambda **kw: {"type": "number", **kw}
B = {"type": "boolean"}
ID = S(minLength=1, maxLength=200)
TIME = S(format="date-time", pattern=r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
E164 = S(pattern=r"^\+[1-9][0-9]{7,14}$")
def enum(*v): return {"type": "string", "enum": list(v)}
def arr(x, **kw): return {"type": "array", "items": x, **kw}
def opt(x): return {"anyOf": [x, {"type": "null"}]}
def desc(x, text): return {**x, "description": text}
def obj(required, optional=None, extra=True):
    props = dict(required); props.update(optional or {})
    o = {"type": "object", "required": sorted(required.keys()), "properties": props}
    if not extra: o["additionalProperties"] = False
    return o

PERSISTENT = desc(opt(B), "F12: keep a call to the phone up between customer calls (externalNumber only; absent means false).")
DEVICE = obj({"kind": enum("softphone", "externalNumber")},
             {"number": opt(S(maxLength=40)), "phoneType": opt(enum("mobile", "landline", "ipPhone")),
              "persistentConnection": PERSISTENT})
NORMALISED_DEVICE = obj({"kind": enum("softphone", "externalNumber")},
                        {"number": opt(E164), "phoneType": opt(enum("mobile", "landline", "ipPhone")),
                         "persistentConnection": PERSISTENT})
LEG_EVENT = lambda **extra: obj({"accountId": ID, "legId": ID, **extra, "at": TIME})
FEATURES = obj({"crmPopup": B, "openCti": B, "holdCounted": B, "holdVisible": B})
COMMAND = lambda: obj({"callId": ID, "accountId": ID, "source": S()})

TYPES = {
  # topic, subject, data schema, summary
  "cc.tenant.configured.v1": ("config", None, obj({
      "tenantId": ID, "concurrentCallLimit": I(minimum=0, maximum=100000), "platformVersion": S(pattern=r"^\d+(\.\d+){0,3}$"),
      "callbackDialingOption": B, "allowInternationalForwarding": B,
      "rates": obj({"mobileYenPerMinute": N(minimum=0), "landlineYenPerMinute": N(minimum=0),
                    "ipPhoneYenPerMinute": N(minimum=0), "billingIncrementSeconds": I(minimum=1, maximum=3600)})}),
      "A tenant's contract: channel limit, platform version, options, call rates."),
  "cc.callcenter.configured.v1": ("config", None, obj({
      "callCenterId": ID, "name": S(), "externalNumber": S(minLength=1, maxLength=40),
      "noAnswerTimeoutSeconds": I(minimum=1, maximum=600), "wrapUpSeconds": I(minimum=0, maximum=3600),
      "memberAccountIds": arr(ID, maxItems=10000)},
      {"answerConfirmation": opt(obj({"enabled": B, "key": S(pattern=r"^[0-9*#]$"), "withinSeconds": I(minimum=1, maximum=60)},
                                     {"declineKey": desc(opt(S(pattern=r"^[0-9*#]$")),
                                          "F13: the key that declines the call (offered to the next agent at once; not a no-answer).")})),
       "maxNoAnswer": opt(I(minimum=1, maximum=100)),
       "allowPersonalPhones": desc(opt(B), "F16: false for queues closed to personal phones (default true)."),
       "persistentConnection": desc(opt(obj({"idleMinutes": I(minimum=1, maximum=1440)})),
                                    "F12: an agent leg with no customer call for idleMinutes (default 10) is closed."),
       "agentAnnouncement": desc(opt(obj({"enabled": B}, {"includeCallerNumber": opt(B)})),
                                 "F15: what is said to an agent on a personal phone before a call is bridged.")}),
      "A call center (queue), its members and ACD settings."),
  "cc.account.configured.v1": ("config", None, obj({
      "accountId": ID, "name": S(), "role": enum("systemAdministrator", "supervisor", "agent"),
      "extension": S(pattern=r"^(?!0)(?!1[0-9]{2}$)[0-9]{0,20}$"), "editableCallCenterIds": arr(ID)}),
      "An account of a tenant with its role and edit permissions."),
  "cc.settings.sign-in-device.change-requested.v1": ("settingsCommands", "account", obj({
      "requestId": ID, "actorAccountId": ID, "screen": enum("account", "myAccount", "callCenterOperations", "realtimeMonitor"),
      "targetAccountId": ID, "device": DEVICE}, {"callCenterId": opt(ID)}),
      "A screen asks to change an account's sign-in device (S2)."),
  "cc.settings.sign-in-device.changed.v1": ("settingsEvents", "account", obj({
      "requestId": ID, "accountId": ID, "previous": NORMALISED_DEVICE, "current": NORMALISED_DEVICE, "actorAccountId": ID,
      "screen": enum("account", "myAccount", "callCenterOperations", "realtimeMonitor"),
      "warnings": arr(obj({"code": enum("acdTimeoutTooShort", "personalPhoneAdvice", "personalPhonesNotAllowed",
                                        "persistentConnectionCost"), "message": S()},
                          {"callCenterId": opt(ID), "noAnswerTimeoutSeconds": opt(I()), "wrapUpSeconds": opt(I()),
                           "callCenterIds": desc(opt(arr(ID)),
                                                 "F16: the call centers closed to personal phones (personalPhonesNotAllowed).")})),
      "disabledFeatures": arr(enum("crmPopup", "openCti"))}, {"callCenterId": opt(ID), "at": TIME,
      "revision": desc(I(minimum=1), "The account's device revision (1, 2, ...). Consumers ignore a change whose revision is not above the one they hold (S3).")}),
      "A sign-in device change was applied (S3), with warnings (F4, F5) and disabled features (F10, F11)."),
  "cc.settings.sign-in-device.change-rejected.v1": ("settingsEvents", "account", obj({
      "requestId": ID, "reason": enum("permissionDenied", "invalidNumber", "forbiddenDestination", "unknownAccount",
                                      "notAMember", "invalidRequest"), "message": S()}, {"targetAccountId": opt(ID)}),
      "A sign-in device change was refused, with the reason (S2, S4)."),
  "cc.agent.presence-changed.v1": ("telephonyEvents", "account", obj({
      "accountId": ID, "presence": enum("available", "away", "signedOut"), "at": TIME}), "An agent's presence changed."),
  "cc.call.offered.v1": ("telephonyEvents", "call", obj({
      "callId": ID, "callCenterId": ID, "callerNumber": S(maxLength=32), "dialedNumber": S(maxLength=32), "at": TIME}),
      "A customer's call arrived at a call center."),
  "cc.call.agent-answered.v1": ("telephonyEvents", "call", obj({"callId": ID, "accountId": ID, "at": TIME}),
      "The rung agent answered."),
  "cc.call.agent-no-answer.v1": ("telephonyEvents", "call", obj({
      "callId": ID, "accountId": ID, "reason": enum("timeout", "rejected", "unreachable"), "at": TIME}),
      "The rung agent did not answer."),
  "cc.call.agent-voicemail-detected.v1": ("telephonyEvents", "call", obj({"callId": ID, "accountId": ID, "at": TIME}),
      "F14: answering-machine detection found a machine (voicemail) on the agent's forwarded leg; the call is taken back and offered to the next agent."),
  "cc.agent-leg.connected.v1": ("telephonyEvents", "account", LEG_EVENT(),
      "F12: the agent answered its persistent leg; calls are bridged onto it."),
  "cc.agent-leg.failed.v1": ("telephonyEvents", "account", LEG_EVENT(reason=enum("noAnswer", "busy", "unreachable", "voicemail")),
      "F12: the persistent leg could not be connected; the agent is rung per call."),
  "cc.agent-leg.disconnected.v1": ("telephonyEvents", "account", LEG_EVENT(),
      "F12: the persistent leg ended."),
  "cc.call.dtmf.v1": ("telephonyEvents", "call", obj({"callId": ID, "accountId": ID, "key": S(pattern=r"^[0-9*#]$"), "at": TIME}),
      "A key pressed on the agent's phone during a call."),
  "cc.call.hold-changed.v1": ("telephonyEvents", "call", obj({"callId": ID, "accountId": ID, "held": B, "at": TIME}),
      "A hold the platform can see (softphone) started or ended."),
  "cc.call.ended.v1": ("telephonyEvents", "call", obj({"callId": ID, "at": TIME}), "The call ended."),
  "cc.call.monitor-requested.v1": ("telephonyEvents", "account", obj({
      "requestId": ID, "supervisorAccountId": ID, "targetAccountId": ID, "mode": enum("monitor", "whisper"), "at": TIME}),
      "A supervisor asks to monitor or whisper an agent's call (M1, M2)."),
  "cc.call.outbound-requested.v1": ("telephonyEvents", "account", obj({
      "requestId": ID, "accountId": ID, "to": S(minLength=1, maxLength=40), "via": enum("callbackDialing", "direct"), "at": TIME}),
      "An agent asks to call out (F2)."),
  "cc.call.seat-view-dialed.v1": ("telephonyEvents", "call", obj({"callId": ID, "fromAccountId": ID, "toAccountId": ID, "at": TIME}),
      "An agent dialled another agent from the seat view (T4)."),
  "cc.clock.tick.v1": ("telephonyEvents", None, obj({"at": TIME}), "An optional time source for timers."),
  "cc.routing.offered-to-agent.v1": ("routingDecisions", "call", obj({
      "callId": ID, "callCenterId": ID, "accountId": ID, "delivery": enum("softphone", "externalNumber", "persistentLeg"),
      "presentedCallerId": S(), "channels": I(minimum=1, maximum=2), "ringTimeoutSeconds": I(minimum=1),
      "features": FEATURES, "attempt": I(minimum=1)},
      {"dialNumber": opt(E164), "phoneType": opt(enum("mobile", "landline", "ipPhone")), "at": TIME,
       "legId": desc(opt(ID), "F12: the agent leg a persistentLeg delivery is bridged onto (channels is then 1)."),
       "announcement": desc(opt(obj({"callCenterName": S(maxLength=200), "waitedSeconds": I(minimum=0)},
                                    {"callerNumberLast4": opt(S(pattern=r"^[0-9]{4}$"))})),
                            "F15: said to the agent before bridging (external deliveries of call centers that enable it).")}),
      "Ring this agent: everything the telephony layer needs (A4)."),
  "cc.routing.call-queued.v1": ("routingDecisions", "call", obj({
      "callId": ID, "callCenterId": ID, "position": I(minimum=1), "reason": S()}, {"at": TIME}), "The call waits (A1, F3)."),
  "cc.routing.call-rejected.v1": ("routingDecisions", "call", obj({"callId": ID, "reason": S()}, {"at": TIME}),
      "The call is refused (F3: concurrentCallLimitReached)."),
  "cc.routing.offer-cancelled.v1": ("routingDecisions", "call", obj({
      "callId": ID, "accountId": ID, "reason": enum("timeout", "rejected", "unreachable", "answerNotConfirmed", "declined", "voicemail"),
      "at": TIME}),
      "Added: stop ringing this agent (ring timeout A2, answer not confirmed F5, declined F13, voicemail F14)."),
  "cc.routing.agent-no-answer.v1": ("routingDecisions", "call", obj({
      "callId": ID, "accountId": ID, "reason": enum("timeout", "rejected", "unreachable", "answerNotConfirmed", "voicemail"),
      "consecutiveNoAnswers": I(minimum=0), "setAway": B, "at": TIME}, {"callCenterId": opt(ID)}),
      "Added: the agent rang out; setAway after maxNoAnswer in a row on a personal phone (A5)."),
  "cc.routing.monitor-decided.v1": ("routingDecisions", "account", obj({"requestId": ID, "allowed": B, "reason": S()},
      {"supervisorAccountId": ID, "targetAccountId": ID, "mode": enum("monitor", "whisper"), "callId": opt(ID)}),
      "Monitoring or whisper allowed or refused (M1, M2)."),
  "cc.routing.outbound-decided.v1": ("routingDecisions", "account", obj({
      "requestId": ID, "allowed": B, "reason": S(), "channels": I(minimum=0, maximum=2)},
      {"presentedCallerId": opt(S()), "accountId": ID, "to": opt(S()), "via": enum("callbackDialing", "direct"),
       "device": enum("softphone", "externalNumber")}),
      "An outbound call allowed or refused (F2)."),
  "cc.routing.seat-view-call-labelled.v1": ("routingDecisions", "call", obj({
      "callId": ID, "fromLabel": enum("extensionCall", "outboundCall", "externalCall"),
      "toLabel": enum("extensionCall", "outboundCall", "externalCall")}, {"fromAccountId": ID, "toAccountId": ID}),
      "How the seat view labels an agent-to-agent call (T4)."),
  "cc.call.hold.v1": ("callCommands", "call", COMMAND(), "Put the customer on hold (F6)."),
  "cc.call.unhold.v1": ("callCommands", "call", COMMAND(), "Release the hold (F6, F8)."),
  "cc.call.park.v1": ("callCommands", "call", COMMAND(), "Park the call (F7)."),
  "cc.call.transfer.v1": ("callCommands", "call", obj({
      "callId": ID, "accountId": ID, "mode": enum("attended", "blind"), "target": S(pattern=r"^(\+[1-9][0-9]{7,14}|[0-9]{1,20})$")},
      {"targetAccountId": opt(ID), "source": S()}), "Transfer to an extension or an E.164 number (F9)."),
  "cc.call.dtmf-rejected.v1": ("callCommands", "call", obj({"callId": ID, "accountId": ID, "keys": S(), "reason": S()}),
      "Keys that make no valid command (F6-F9)."),
  "cc.call.agent-leg-open.v1": ("callCommands", "account", obj({
      "accountId": ID, "legId": ID, "dialNumber": E164, "presentedCallerId": S()},
      {"callCenterId": desc(opt(ID), "The call center whose number the phone is shown (F1).")}),
      "F12: dial the agent's persistent leg; it holds one channel until it ends."),
  "cc.call.agent-leg-close.v1": ("callCommands", "account", obj({
      "accountId": ID, "legId": ID, "reason": enum("idleTimeout", "presence", "deviceChanged", "dialTimeout")}),
      "F12: hang up the agent's persistent leg."),
  "cc.agent.status-changed.v1": ("agentStatus", "account", obj({
      "accountId": ID, "status": enum("signedOut", "available", "ringing", "talking", "onHold", "wrapUp", "away"),
      "device": enum("softphone", "externalNumber"), "holdCount": I(minimum=0), "at": TIME},
      {"phoneType": opt(enum("mobile", "landline", "ipPhone")), "callId": opt(ID), "reason": opt(S()),
       "legConnected": desc(opt(B), "F12: whether the agent's persistent leg is connected (absent for agents without one).")}),
      "An agent's status as the three views show it (T1-T3)."),
  "cc.usage.channels-changed.v1": ("usage", "call", {**obj({
      "inUse": I(minimum=0), "limit": I(minimum=0), "at": TIME, "delta": I()},
      {"callId": ID, "legId": desc(ID, "F12: the agent leg whose channel changed (callId is then absent).")}),
      "oneOf": [{"required": ["callId"]}, {"required": ["legId"]}]},
      "Concurrent-call channels in use changed (F3, P4)."),
  "cc.deadletter.v1": ("deadLetter", None, obj({
      "originalTopic": S(), "partition": I(minimum=0), "offset": I(minimum=0), "key": opt(S()),
      "error": obj({"code": S(), "message": S()}), "payloadBase64": S(contentEncoding="base64"), "service": S(), "at": TIME}),
      "A message a service could not process, with the reason."),
}

TOPICS = {
  "config": ("cc.config", "Tenants, call centers and accounts (other systems)."),
  "settingsCommands": ("cc.settings.commands", "Sign-in device change requests (admin web app)."),
  "settingsEvents": ("cc.settings.events", "Applied and rejected device changes (settings-service)."),
  "telephonyEvents": ("cc.telephony.events", "Calls, keys, presence (telephony layer)."),
  "routingDecisions": ("cc.routing.decisions", "Where calls ring and other decisions (routing-service)."),
  "callCommands": ("cc.call.commands", "In-call commands for the telephony layer (routing-service)."),
  "agentStatus": ("cc.agent.status", "Agent statuses (status-service)."),
  "usage": ("cc.usage", "Channel usage (routing-service)."),
  "deadLetter": ("cc.deadletter", "Messages a service could not process (every service)."),
}

def envelope(type_name, data):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://callcenter.invalid/schemas/{type_name}.json",
        "title": type_name,
        "description": TYPES[type_name][3] + " CloudEvents 1.0, structured JSON mode.",
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "tenantid", "datacontenttype", "data"],
        "properties": {
            "specversion": {"const": "1.0"}, "id": ID, "source": S(minLength=1), "type": {"const": type_name},
            "time": TIME, "tenantid": S(minLength=1, maxLength=100), "subject": S(),
            "datacontenttype": {"const": "application/json"}, "data": data,
        },
    }

def main():
    out = os.path.join(ROOT, "docs", "schemas")
    os.makedirs(out, exist_ok=True)
    for t, (topic, subject, data, summary) in TYPES.items():
        with open(os.path.join(out, t + ".json"), "w") as f:
            json.dump(envelope(t, data), f, indent=2, sort_keys=True)
            f.write("\n")
    lines = ["asyncapi: 3.0.0", "info:", "  title: Call-center backend events", "  version: 1.0.0",
             "  description: Kafka topics of the call-center services. Every message is a CloudEvents 1.0 event in",
             "    structured JSON mode, keyed by tenant id; all topics have the same partition count.",
             "defaultContentType: application/cloudevents+json", "servers:", "  kafka:", "    host: 127.0.0.1:9092",
             "    protocol: kafka", "channels:"]
    for key, (name, desc) in TOPICS.items():
        lines += [f"  {key}:", f"    address: {name}", f"    description: {desc}", "    messages:"]
        for t, (topic, *_rest) in TYPES.items():
            if topic == key:
                lines += [f"      {msg_id(t)}:", f"        $ref: '#/components/messages/{msg_id(t)}'"]
    lines += ["  changelog:", "    address: cc.{service}.changelog",
              "    description: Internal, compacted. A service's per-tenant state and consumed offsets, keyed t:<tenant>",
              "      and o:<partition>, written with every batch and read to restore a partition that moves to another",
              "      instance. Not CloudEvents.",
              "    parameters:", "      service:", "        description: the service name, e.g. routing-service"]
    lines += ["operations:"]
    for key, (name, desc) in TOPICS.items():
        lines += [f"  publish{key[0].upper() + key[1:]}:", "    action: send", f"    channel:",
                  f"      $ref: '#/channels/{key}'"]
    lines += ["components:", "  messages:"]
    for t, (topic, subject, data, summary) in TYPES.items():
        lines += [f"    {msg_id(t)}:", f"      name: {t}", f"      summary: {json.dumps(summary)}",
                  "      contentType: application/cloudevents+json",
                  "      bindings:", "        kafka:", "          key:", "            type: string",
                  "            description: the tenant id",
                  "      payload:", f"        $ref: 'schemas/{t}.json'"]
    with open(os.path.join(ROOT, "docs", "asyncapi.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(TYPES)} schemas and docs/asyncapi.yaml")

def msg_id(t):
    parts = t.replace("cc.", "", 1).replace(".v1", "").replace("-", ".").split(".")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])

if __name__ == "__main__":
    main()
