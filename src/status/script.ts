/**
 * The status page's own script (plain browser JavaScript, no framework). It subscribes to
 * `lightStateChanged` and `readerEvents` over graphql-ws (a minimal `graphql-transport-ws` client written
 * here) and falls back to GraphQL over SSE read with fetch streaming (EventSource cannot POST), polls
 * `/ready` for backend health and remembers the last error. `?transport=sse|ws` forces a transport.
 *
 * Kept as a string (no backticks or template placeholders inside) so the single executable embeds it.
 */
import { STATUS_LABELS } from './labels.ts';

const SCRIPT = String.raw`(function () {
  'use strict';
  var L = __LABELS__;
  var params = new URLSearchParams(location.search);
  var forced = params.get('transport');
  var ENDPOINT = '/graphql';
  var READY_EVERY_MS = 5000;
  var MAX_EVENTS = 30;
  var SUBSCRIPTIONS = {
    lights: 'subscription StatusLights { lightStateChanged { healthCard { level colour } professionalCard { level colour } } }',
    events: 'subscription StatusEvents { readerEvents { kind readerId readerName slot level at cardSession } }'
  };
  // The Backend enum of the API (docs/api-conventions.md), in both languages.
  var BACKEND_LABELS = { SIMULATOR: '模擬器 simulator', CSHIS: '健保控制軟體 cshis', PCSC: '讀卡機 PC/SC' };
  var INFO = 'query StatusInfo { gateway { version backend } readers { id name slot cardSession light { ... on CardLight { level colour } } } }';
  var HEADERS = { 'content-type': 'application/json', 'x-nhi-gateway': 'status-page' };

  function $(id) { return document.getElementById(id); }
  function bilingual(el, zh, en) {
    el.textContent = zh + ' ';
    var span = document.createElement('span');
    span.className = 'en';
    span.lang = 'en';
    span.textContent = en;
    el.appendChild(span);
  }
  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString('zh-TW', { hour12: false });
  }
  function announce(text) { $('announcer').textContent = text; }

  // ---- lights -------------------------------------------------------------------------------------
  var lastLevels = {};
  function showLight(slot, light) {
    var el = $('light-' + slot);
    var text = $('light-text-' + slot);
    if (!el || !text || !light) return;
    var level = L.levels[light.level] || { zh: '未知', en: 'unknown' };
    var colour = L.colours[light.colour] || { zh: light.colour, en: light.colour };
    var name = L.slots[slot];
    el.setAttribute('data-level', String(light.level));
    el.setAttribute('data-colour', light.colour);
    el.setAttribute('aria-label', name.zh + '：' + colour.zh + '，' + level.zh + ' / ' + name.en + ': ' + colour.en + ', ' + level.en);
    el.querySelector('.light-level').textContent = String(light.level);
    bilingual(text, colour.zh + '・' + level.zh, colour.en + ' · ' + level.en);
    if (lastLevels[slot] !== undefined && lastLevels[slot] !== light.level) {
      announce(name.zh + '：' + level.zh + '（' + colour.zh + '） ' + name.en + ': ' + level.en + ' (' + colour.en + ')');
    }
    lastLevels[slot] = light.level;
  }

  // ---- readers: one small light per reader (a PC/SC workstation may have several) -------------------
  var readers = [];
  function colourFor(level, slot) {
    return level === 0 ? 'WHITE' : level === 1 ? 'BROWN' : level === 3 ? 'PURPLE' : slot === 'PROFESSIONAL_CARD' ? 'ORANGE' : 'GREEN';
  }
  function renderReaders() {
    var list = $('readers');
    if (!list) return;
    list.textContent = '';
    if (readers.length === 0) {
      var none = document.createElement('li');
      none.className = 'muted';
      bilingual(none, '沒有讀卡機', 'No readers');
      list.appendChild(none);
    }
    readers.forEach(function (r) {
      var li = document.createElement('li');
      li.setAttribute('data-reader-id', r.id);
      li.setAttribute('data-level', String(r.level));
      li.setAttribute('data-colour', r.colour);
      var dot = document.createElement('span');
      dot.className = 'mini';
      dot.setAttribute('data-colour', r.colour);
      dot.setAttribute('aria-hidden', 'true');
      var name = document.createElement('span');
      name.textContent = r.name;
      var level = document.createElement('span');
      level.className = 'reader-level';
      var text = L.levels[r.level] || { zh: '未知', en: 'unknown' };
      var slot = L.slots[r.slot] || { zh: r.slot, en: r.slot };
      bilingual(level, slot.zh + '・' + r.level + ' ' + text.zh, text.en);
      li.appendChild(dot);
      li.appendChild(name);
      li.appendChild(level);
      list.appendChild(li);
    });
  }
  function readerEvent(e) {
    if (e.kind === 'READER_ATTACHED' || e.kind === 'READER_DETACHED') { loadInfo(); return; }
    readers.forEach(function (r) {
      if (r.id === e.readerId) { r.level = e.level; r.colour = colourFor(e.level, r.slot); }
    });
    renderReaders();
  }

  // ---- card sessions: a short form of each insertion's id, so a swap shows as a new card --------------
  function shortSession(id) { return id ? '#' + id.slice(-L.session.shownCharacters) : ''; }
  var sessions = {};
  function showSession(slot) {
    var el = $('card-session-' + slot);
    if (!el) return;
    var s = sessions[slot];
    el.setAttribute('data-session', s || '');
    if (s) bilingual(el, L.session.zh + ' ' + s, L.session.en);
    else bilingual(el, L.session.none.zh, L.session.none.en);
  }
  function sessionEvent(e) {
    if (!L.slots[e.slot]) return;
    if (e.kind === 'CARD_REMOVED') sessions[e.slot] = '';
    else if ((e.kind === 'CARD_INSERTED' || e.kind === 'CARD_AUTHENTICATED') && e.cardSession) sessions[e.slot] = shortSession(e.cardSession);
    else return;
    showSession(e.slot);
  }

  // ---- events -------------------------------------------------------------------------------------
  function addEvent(e) {
    readerEvent(e);
    sessionEvent(e);
    var kind = L.events[e.kind] || { zh: e.kind, en: e.kind };
    var slot = L.slots[e.slot] || { zh: e.slot, en: e.slot };
    var list = $('events');
    if (list) {
      var empty = list.querySelector('.empty');
      if (empty) empty.remove();
      var li = document.createElement('li');
      li.setAttribute('data-kind', e.kind);
      var session = shortSession(e.cardSession);
      if (session) li.setAttribute('data-session', session);
      var t = document.createElement('time');
      t.dateTime = e.at;
      t.textContent = time(e.at);
      var dot = document.createElement('span');
      dot.className = 'mini';
      dot.setAttribute('aria-hidden', 'true');
      var colour = e.level === 0 ? 'WHITE' : e.level === 1 ? 'BROWN' : e.level === 3 ? 'PURPLE' : e.slot === 'PROFESSIONAL_CARD' ? 'ORANGE' : 'GREEN';
      dot.setAttribute('data-colour', colour);
      var text = document.createElement('span');
      bilingual(text, slot.zh + '：' + kind.zh + (session ? ' ' + session : ''), slot.en + ': ' + kind.en + (e.readerName ? ' — ' + e.readerName : ''));
      li.appendChild(t);
      li.appendChild(dot);
      li.appendChild(text);
      list.insertBefore(li, list.firstChild);
      while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
    }
    var line = $('last-event');
    if (line) bilingual(line, time(e.at) + ' ' + slot.zh + '：' + kind.zh, kind.en);
  }

  // ---- errors, connection, backend ----------------------------------------------------------------
  function showError(zh, en) {
    var el = $('last-error');
    el.className = 'has-error';
    el.textContent = '';
    var t = document.createElement('time');
    t.textContent = time();
    var msg = document.createElement('span');
    bilingual(msg, zh, en);
    el.appendChild(t);
    el.appendChild(msg);
  }
  function connection(state, zh, en) {
    var el = $('connection');
    el.setAttribute('data-state', state);
    bilingual($('connection-text'), zh, en);
  }
  function graphqlErrorText(errors) {
    return (errors || []).map(function (e) { return e.message; }).join('; ') || 'unknown error';
  }

  function checkReady() {
    fetch('/ready', { cache: 'no-store' }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      var badge = $('ready-state');
      badge.setAttribute('data-ready', String(!!r.body.ready));
      if (r.body.ready) bilingual(badge, '就緒', 'Ready');
      else bilingual(badge, '未就緒', 'Not ready');
      var list = $('ready-reasons');
      list.textContent = '';
      (r.body.reasons || []).forEach(function (reason) {
        var li = document.createElement('li');
        li.textContent = reason;
        list.appendChild(li);
      });
      if (!r.body.ready && r.body.reasons && r.body.reasons.length) showError('後端未就緒：' + r.body.reasons[0], 'Backend not ready');
    }).catch(function () {
      var badge = $('ready-state');
      badge.setAttribute('data-ready', 'false');
      bilingual(badge, '無法連線', 'Unreachable');
    });
  }

  function loadInfo() {
    fetch(ENDPOINT, { method: 'POST', headers: HEADERS, body: JSON.stringify({ query: INFO }) })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        if (!body.data) return;
        $('gateway-version').textContent = body.data.gateway.version;
        $('gateway-backend').textContent = BACKEND_LABELS[body.data.gateway.backend] || body.data.gateway.backend;
        var names = { HEALTH_CARD: [], PROFESSIONAL_CARD: [] };
        var already = {};
        readers = body.data.readers.map(function (r) {
          if (names[r.slot]) names[r.slot].push(r.name);
          var light = r.light && typeof r.light.level === 'number' ? r.light : { level: 0, colour: 'WHITE' };
          // Each reader names its own card: the slot shows the one with its light on (an NHI card), else any.
          var lit = light.level > 0;
          if (r.cardSession && (!already[r.slot] || (lit && !already[r.slot].lit))) already[r.slot] = { session: r.cardSession, lit: lit };
          return { id: r.id, name: r.name, slot: r.slot, level: light.level, colour: light.colour };
        });
        // A card already in when the page opened: its session now, unless an event came first.
        Object.keys(already).forEach(function (slot) {
          if (!sessions[slot]) { sessions[slot] = shortSession(already[slot].session); showSession(slot); }
        });
        Object.keys(names).forEach(function (slot) {
          var el = $('reader-name-' + slot);
          if (el) el.textContent = names[slot].join('、');
        });
        renderReaders();
      })
      .catch(function () {});
  }

  // ---- transports ---------------------------------------------------------------------------------
  function onPayload(name, payload) {
    if (payload.errors) {
      showError('訂閱錯誤：' + graphqlErrorText(payload.errors), 'Subscription error');
      return;
    }
    if (!payload.data) return;
    if (name === 'lights') {
      showLight('HEALTH_CARD', payload.data.lightStateChanged.healthCard);
      showLight('PROFESSIONAL_CARD', payload.data.lightStateChanged.professionalCard);
    } else if (name === 'events') {
      addEvent(payload.data.readerEvents);
    }
  }

  var retries = 0;
  var wsFailures = 0;
  function reconnect(reason) {
    retries += 1;
    var delay = Math.min(10000, 500 * Math.pow(2, Math.min(retries, 5)));
    connection('down', '連線中斷，' + Math.round(delay / 1000) + ' 秒後重試', 'Disconnected, retrying');
    if (reason) showError('與閘道的連線中斷', 'Connection to the gateway lost: ' + reason);
    setTimeout(start, delay);
  }
  function live(transport) {
    retries = 0;
    connection('live', '即時連線中', 'Live (' + transport + ')');
    document.body.setAttribute('data-transport', transport);
  }

  // A minimal graphql-transport-ws client: connection_init, subscribe, next/error/complete, ping/pong.
  function startWs() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + ENDPOINT;
    var ws;
    try { ws = new WebSocket(url, 'graphql-transport-ws'); } catch (e) { wsFailures += 1; return startSse(); }
    var acked = false;
    var closed = false;
    ws.onopen = function () { ws.send(JSON.stringify({ type: 'connection_init', payload: {} })); };
    ws.onmessage = function (m) {
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (msg.type === 'connection_ack') {
        acked = true;
        wsFailures = 0;
        live('graphql-ws');
        Object.keys(SUBSCRIPTIONS).forEach(function (id) {
          ws.send(JSON.stringify({ id: id, type: 'subscribe', payload: { query: SUBSCRIPTIONS[id] } }));
        });
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      } else if (msg.type === 'next') {
        onPayload(msg.id, msg.payload);
      } else if (msg.type === 'error') {
        showError('訂閱錯誤：' + graphqlErrorText(msg.payload), 'Subscription error');
      } else if (msg.type === 'complete') {
        // the gateway ended a stream (shutting down): start over
        if (!closed) { closed = true; ws.close(); reconnect(); }
      }
    };
    ws.onclose = function (ev) {
      if (closed) return;
      closed = true;
      if (!acked) wsFailures += 1;
      reconnect(acked ? 'WebSocket ' + ev.code : '');
    };
  }

  // GraphQL over SSE with fetch streaming: one POST per subscription ("distinct connections" mode).
  function sseSubscribe(name, query, onEnd) {
    fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-nhi-gateway': 'status-page' },
      body: JSON.stringify({ query: query })
    }).then(function (res) {
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      var event = '';
      var data = [];
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { onEnd('stream ended'); return; }
          buffer += decoder.decode(chunk.value, { stream: true });
          var lines = buffer.split(/\r\n|\r|\n/);
          buffer = lines.pop();
          lines.forEach(function (line) {
            if (line === '') {
              if (event === 'next' && data.length) onPayload(name, JSON.parse(data.join('\n')));
              if (event === 'complete') onEnd('');
              event = '';
              data = [];
            } else if (line.charAt(0) !== ':') {
              var i = line.indexOf(':');
              var field = i < 0 ? line : line.slice(0, i);
              var value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (field === 'event') event = value;
              else if (field === 'data') data.push(value);
            }
          });
          return pump();
        });
      }
      return pump();
    }).catch(function (e) { onEnd(String(e && e.message || e)); });
  }
  function startSse() {
    var ended = false;
    var end = function (reason) { if (ended) return; ended = true; reconnect(reason); };
    Object.keys(SUBSCRIPTIONS).forEach(function (name) { sseSubscribe(name, SUBSCRIPTIONS[name], end); });
    live('SSE');
  }

  function start() {
    loadInfo();
    if (forced === 'sse' || (forced !== 'ws' && (typeof WebSocket === 'undefined' || wsFailures >= 2))) startSse();
    else startWs();
  }

  checkReady();
  setInterval(checkReady, READY_EVERY_MS);
  start();
})();
`;

export const STATUS_SCRIPT = SCRIPT.replace('__LABELS__', JSON.stringify(STATUS_LABELS));

/**
 * `/status/widget.js`: put `<script src="http://127.0.0.1:8737/status/widget.js" async></script>` in a HIS page
 * and it inserts the compact page as an <iframe> right where the script tag is (or into the element named by
 * `data-target`). `data-width`/`data-height` size it.
 */
export const WIDGET_SCRIPT = String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var frame = document.createElement('iframe');
  frame.src = origin + '/status?embed=1';
  frame.title = '讀卡機狀態 Card reader status';
  frame.setAttribute('data-nhi-gateway-status', '');
  frame.style.border = '0';
  frame.style.width = script.getAttribute('data-width') || '480px';
  frame.style.height = script.getAttribute('data-height') || '190px';
  frame.style.colorScheme = 'light';
  var target = script.getAttribute('data-target');
  var host = target ? document.querySelector(target) : null;
  if (host) host.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);
})();
`;
