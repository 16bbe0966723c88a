/// The realtime monitor page: plain HTML, a style sheet and a little JavaScript, no build step, nothing inline (the
/// pages' Content-Security-Policy allows only the service's own script and style). It loads `/api/monitor` and then
/// follows `/events` (Server-Sent Events), sending the token of its URL fragment as a bearer header.
public enum MonitorPage {
    public static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Realtime monitor リアルタイムモニタ</title>
<link rel="stylesheet" href="/monitor.css">
</head>
<body>
<h1>Realtime monitor <small>リアルタイムモニタ</small></h1>
<div class="meta">Tenant <b id="tenant"></b> · Channels 同時通話数: <b id="channels">–</b>
  <span class="bar"><div id="channelbar"></div></span> <span id="state">connecting…</span></div>
<div id="centers"></div>
<script src="/monitor.js"></script>
</body>
</html>
"""#

    public static let style = #"""
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d2433; background: #f6f7f9; }
  h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
  .meta { color: #555; margin-bottom: 1rem; }
  .center { background: #fff; border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; box-shadow: 0 1px 3px #0002; }
  .center h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
  .stats span { margin-right: 1.2rem; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eee; font-size: .92rem; }
  .status { font-weight: 600; padding: .1rem .5rem; border-radius: 10px; }
  .available { background: #d9f5e0; } .ringing { background: #fff1c2; } .talking { background: #cfe3ff; }
  .onHold { background: #ffd9c2; } .wrapUp { background: #e8ddff; } .away { background: #eee; } .signedOut { background: #f2f2f2; color: #888; }
  .bar { height: 10px; background: #e6e9ef; border-radius: 5px; overflow: hidden; width: 220px; display: inline-block; vertical-align: middle; }
  .bar > div { height: 100%; width: 0; background: #3b82f6; }
  #state { font-size: .8rem; color: #777; }
  .leg { font-size: .85rem; } .leg.connected { color: #15803d; font-weight: 600; } .leg.dialling { color: #a16207; }
  tr.cannot-take td { color: #9a3412; } .note { font-size: .8rem; color: #9a3412; }
"""#

    public static let script = #"""
const labels = { signedOut: "Signed out サインアウト", available: "Available 受付可", ringing: "Ringing 呼出中",
  talking: "Talking 通話中", onHold: "On hold 保留中", wrapUp: "Wrap-up 後処理", away: "Away 離席" };
const devices = { softphone: "Softphone ソフトフォン", mobile: "Mobile 携帯電話", landline: "Landline 固定電話", ipPhone: "IP phone IP電話" };
const calls = { extensionCall: "Extension call 内線通話", outboundCall: "Outbound call 発信通話", externalCall: "External call 外線通話" };
// F12: the persistent leg of an agent with one (legConnected absent: none).
function leg(a) {
  if (a.legConnected === undefined || a.legConnected === null) return `<td class="leg" data-leg="none"></td>`;
  return a.legConnected ? `<td class="leg connected" data-leg="connected">Connected 常時接続中</td>`
                        : `<td class="leg dialling" data-leg="down">Not connected 未接続</td>`;
}
// The access token comes in the URL fragment (/#access_token=...), which browsers never send to a server. It is kept
// for this tab only and removed from the address bar, so that it is not bookmarked, shared or left in the history.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has("access_token")) {
  sessionStorage.setItem("cc.access_token", fragment.get("access_token"));
  history.replaceState(null, "", location.pathname + location.search);
}
const token = sessionStorage.getItem("cc.access_token") || "";
function claims(t) {
  try { return JSON.parse(atob(t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) { return {}; }
}
const tenant = new URLSearchParams(location.search).get("tenant") || claims(token).tenant || "";
document.getElementById("tenant").textContent = tenant;
const query = tenant ? "?tenant=" + encodeURIComponent(tenant) : "";
const headers = token ? { Authorization: "Bearer " + token } : {};
function show(state) { document.getElementById("state").textContent = state; }
function refused(status) {
  show(status === 401 ? "the access token is missing or has expired: open the page with a new one"
       : status === 403 ? "this token may not see this tenant" : "the service refused (" + status + ")");
}
function esc(s) { return String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c])); }
function render(m) {
  document.getElementById("channels").textContent = m.channelsInUse + " / " + m.channelLimit;
  document.getElementById("channelbar").style.width = (m.channelLimit ? Math.min(100, 100 * m.channelsInUse / m.channelLimit) : 0) + "%";
  document.getElementById("centers").innerHTML = m.callCenters.map(c => `
    <div class="center" data-center="${esc(c.callCenterId)}">
      <h2>${esc(c.name)}</h2>
      <div class="stats"><span>Waiting calls 待ち呼: <b class="waiting">${c.waitingCalls}</b></span>
        <span>Holds 保留数: <b class="holds">${c.holdCount}</b></span></div>
      <table><tr><th>Agent</th><th>Status 状態</th><th>Device サインイン端末</th><th>Number</th><th>Persistent connection 常時接続</th>
        <th>Holds</th><th>Declined 拒否</th><th>Voicemail 留守電</th><th>Seat view</th></tr>
      ${c.agents.map(a => `<tr data-agent="${esc(a.accountId)}" class="${a.cannotTakeCalls ? "cannot-take" : ""}"><td>${esc(a.name)}</td>
        <td><span class="status ${esc(a.status)}" data-status="${esc(a.status)}">${esc(labels[a.status] || a.status)}</span></td>
        <td>${esc(devices[a.device] || a.device)}${a.cannotTakeCalls
          ? `<div class="note" data-cannot-take>Cannot take this queue's calls on a personal phone 個人端末では受けられません</div>` : ""}</td>
        <td>${esc(a.number || "")}</td>${leg(a)}<td>${a.holdCount}</td>
        <td data-declined>${a.declined}</td><td data-voicemail>${a.voicemail}</td><td>${esc(calls[a.seatViewCall] || "")}</td></tr>`).join("")}
      </table></div>`).join("");
}
fetch("/api/monitor" + query, { headers }).then(r => r.ok ? r.json() : (refused(r.status), null)).then(m => m && render(m));
// The live stream over fetch (EventSource cannot send an Authorization header); it reconnects after a second.
async function follow() {
  for (;;) {
    let status = 0;
    try {
      const response = await fetch("/events" + query, { headers, cache: "no-store" });
      status = response.status;
      if (!response.ok) { refused(status); if (status === 401 || status === 403) return; }
      else {
        show("live");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end).split("\n");
            buffer = buffer.slice(end + 2);
            const data = block.filter(l => l.startsWith("data: ")).map(l => l.slice(6)).join("\n");
            if (block.includes("event: monitor") && data) render(JSON.parse(data));
          }
        }
      }
    } catch (e) { /* the connection dropped */ }
    if (status === 200 || status === 0) show("reconnecting…");
    await new Promise(r => setTimeout(r, 1000));
  }
}
follow();
"""#
}
