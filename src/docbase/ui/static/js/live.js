// Live updates for the data browser through /realtime/v1/websocket, the endpoint
// supabase-js uses, joined with the console's own key and session. The server judges
// each change as /rest/v1 would for this caller, so an event reaching the page means
// "a row you may read changed"; the page then re-reads its rows through /rest/v1,
// keeping the paging, order and filters its address states. One socket at a time:
// leaving the table (or changing who is signed in) closes it.

import { realtimeCredentials } from "./api.js";

const HEARTBEAT_MS = 25000;
const SETTLE_MS = 150; // a burst of changes (a bulk insert) costs one re-read

let current = null;

function socketUrl(apikey) {
  const url = new URL("realtime/v1/websocket", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = new URLSearchParams({ apikey, vsn: "1.0.0" }).toString();
  return url.toString();
}

/** Stop whatever live subscription is open. */
export function stopWatching() {
  if (!current) return;
  clearInterval(current.beat);
  clearTimeout(current.settle);
  current.closing = true;
  current.socket.close();
  current = null;
}

/**
 * Subscribe to every change of `tableName` this session may read. `onChange(keys)` gets the
 * records' primary-key values of the settled burst; `onState(state, why)` hears "connecting",
 * "live" and "off" (with the server's reason), for the page's indicator.
 */
export function watchTable(tableName, primaryKey, onChange, onState) {
  const { apikey, token } = realtimeCredentials();
  const key = `${tableName}\u0000${apikey}\u0000${token}`;
  if (current && current.key === key) {
    current.onChange = onChange;
    current.onState = onState;
    onState(current.state, current.why);
    return;
  }
  stopWatching();
  if (!apikey) return onState("off", "no API key in this session");
  const watch = { key, onChange, onState, state: "connecting", why: "", pending: [], settle: null, beat: null, ref: 0 };
  current = watch;
  const say = (state, why = "") => {
    watch.state = state;
    watch.why = why;
    if (current === watch) watch.onState(state, why);
  };
  let socket;
  try {
    socket = new WebSocket(socketUrl(apikey));
  } catch (err) {
    return say("off", err.message);
  }
  watch.socket = socket;
  const send = (topic, event, payload) => socket.send(JSON.stringify({ topic, event, payload, ref: String(++watch.ref), join_ref: topic === "phoenix" ? null : "1" }));
  const topic = `realtime:console:${tableName}`;
  say("connecting");
  socket.addEventListener("open", () => {
    const config = { broadcast: { ack: false, self: false }, presence: { key: "" }, postgres_changes: [{ event: "*", schema: "public", table: tableName }], private: false };
    send(topic, "phx_join", { config, access_token: token || apikey });
    watch.beat = setInterval(() => send("phoenix", "heartbeat", {}), HEARTBEAT_MS);
  });
  socket.addEventListener("message", (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    if (msg.topic !== topic) return;
    if (msg.event === "phx_reply" && msg.ref === "1") {
      const ok = msg.payload && msg.payload.status === "ok";
      say(ok ? "live" : "off", ok ? "" : (msg.payload.response && (msg.payload.response.reason || msg.payload.response.message)) || "the server refused the subscription");
    } else if (msg.event === "system" && msg.payload && msg.payload.status === "error") {
      say("off", msg.payload.message || "the server ended the subscription");
    } else if (msg.event === "phx_close" || msg.event === "phx_error") {
      say("off", "the server closed the subscription");
    } else if (msg.event === "postgres_changes" && msg.payload && msg.payload.data) {
      const data = msg.payload.data;
      const row = data.record || data.old_record || {};
      watch.pending.push(primaryKey.map((k) => row[k]));
      clearTimeout(watch.settle);
      watch.settle = setTimeout(() => {
        const keys = watch.pending;
        watch.pending = [];
        if (current === watch) watch.onChange(keys);
      }, SETTLE_MS);
    }
  });
  socket.addEventListener("close", () => {
    clearInterval(watch.beat);
    if (!watch.closing) say("off", "the connection closed");
  });
}
