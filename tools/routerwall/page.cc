// The wallboard page's HTML, CSS and JavaScript; see page.h.
#include "tools/routerwall/page.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace router::wall {

namespace {

constexpr std::string_view kHead = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Wallboard</title>
<style>
:root {
  --bg: #0a0e13; --panel: #131a23; --fg: #f4f7fa; --dim: #93a1b0; --line: #27323f;
  --ok: #3ee07f; --bad: #ff5a5a; --warn: #ffc233; --blue: #5cb3ff;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--fg); }
body {
  font-family: "DejaVu Sans", "Liberation Sans", "Helvetica Neue", Arial, sans-serif;
  /* Sized by the screen: about 26 px on a 1600 x 900 screen, 32 px at 1920 x 1080. */
  font-size: clamp(14px, min(1.65vw, 3.2vh), 64px); line-height: 1.25;
}
header {
  display: flex; align-items: baseline; gap: 1em; padding: 0.35em 0.8em;
  border-bottom: 0.12em solid var(--line);
}
h1 { font-size: 1.25em; margin: 0; font-weight: 700; letter-spacing: 0.02em; }
#meta { color: var(--dim); font-size: 0.8em; flex: 1; }
#clock { font-size: 1.25em; font-weight: 700; font-variant-numeric: tabular-nums; }
#signout[hidden], #at-wrap[hidden] { display: none; }
#signout { background: none; border: 0.06em solid var(--line); color: var(--dim);
  font: inherit; font-size: 0.6em; padding: 0.2em 0.6em; border-radius: 0.3em; cursor: pointer; }
#banner { display: none; padding: 0.35em 0.8em; font-weight: 700; font-size: 0.95em; }
#banner.bad { display: block; background: #4a1010; color: #ffd7d7; }
#banner.warn { display: block; background: #4a3a08; color: #ffeeb8; }
main { display: none; grid-template-columns: minmax(0, 1fr) 11em; gap: 0.8em;
  padding: 0.5em 0.8em; }
main.live { display: grid; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th {
  color: var(--dim); font-weight: 600; font-size: 0.62em; text-transform: uppercase;
  letter-spacing: 0.05em; text-align: right; padding: 0.2em 0.5em;
  border-bottom: 0.15em solid var(--line); white-space: nowrap;
}
td { text-align: right; padding: 0.15em 0.45em; border-bottom: 0.06em solid var(--line);
  font-weight: 700; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.queue { font-weight: 600; max-width: 12em; overflow: hidden; text-overflow: ellipsis; }
.ok { color: var(--ok); } .bad { color: var(--bad); } .warn { color: var(--warn); }
.dim { color: var(--dim); }
.target { display: block; color: var(--dim); font-size: 0.5em; font-weight: 400;
  line-height: 1.1; }
svg.spark { width: 6em; height: 1.6em; vertical-align: middle; display: inline-block;
  background: #10161d; }
aside { background: var(--panel); border-radius: 0.3em; padding: 0.4em 0.7em; align-self: start; }
aside h2 { font-size: 0.62em; color: var(--dim); text-transform: uppercase; letter-spacing: 0.05em;
  margin: 0.3em 0 0.2em; font-weight: 600; }
.row { display: flex; justify-content: space-between; align-items: baseline; padding: 0.1em 0;
  font-variant-numeric: tabular-nums; }
.row .n { font-weight: 700; font-size: 1.25em; }
.row .label { font-size: 0.9em; }
.dot { display: inline-block; width: 0.6em; height: 0.6em; border-radius: 50%;
  margin-right: 0.4em; vertical-align: middle; }
#reasons .row .label { color: var(--dim); overflow: hidden; text-overflow: ellipsis; }
#login { display: none; max-width: 28em; margin: 3em auto; background: var(--panel);
  padding: 1em 1.2em; border-radius: 0.4em; }
#login.shown { display: block; }
#login h2 { margin: 0 0 0.5em; font-size: 1.1em; }
#login input { width: 100%; font: inherit; padding: 0.3em 0.4em; margin: 0.3em 0 0.6em;
  background: var(--bg); color: var(--fg); border: 0.06em solid var(--line); border-radius: 0.2em; }
#login button { font: inherit; padding: 0.3em 1em; background: var(--blue); color: #00111f;
  border: 0; border-radius: 0.2em; font-weight: 700; cursor: pointer; }
#auth-error { color: var(--bad); font-weight: 700; min-height: 1.3em; margin-top: 0.6em; }
footer { color: var(--dim); font-size: 0.55em; padding: 0.2em 0.8em; }
</style>
</head>
<body>
<header>
  <h1 id="title">Wallboard</h1>
  <span id="meta"><span data-field="status" id="status">connecting…</span><span id="at-wrap">
    · figures of <span data-field="at" id="at">--:--:--</span></span></span>
  <span id="clock">--:--:--</span>
  <button id="signout" type="button">sign out</button>
</header>
<div id="banner" role="status"></div>
<main id="board">
  <section>
    <table>
      <thead><tr>
        <th>Queue</th><th>Waiting</th><th>Longest wait</th><th>Service level</th><th>ASA</th>
        <th>Abandon</th><th>EWT</th><th>SL, last hour</th>
      </tr></thead>
      <tbody id="queues"></tbody>
    </table>
  </section>
  <aside>
    <h2>Agents <span data-field="agents_total" id="agents-total"></span></h2>
    <div id="states"></div>
    <h2>Not ready, by reason</h2>
    <div id="reasons"></div>
  </aside>
</main>
<form id="login" autocomplete="off">
  <h2>Sign in to the wallboard</h2>
  <label for="token">Supervisor token (routerd checks it)</label>
  <input id="token" name="token" type="password" autocomplete="off" spellcheck="false">
  <button type="submit">Show the board</button>
  <div id="auth-error" data-field="auth_error"></div>
</form>
<footer>Service level: contacts answered within the queue's threshold, of those answered or
  abandoned, over routerd's statistics window. Abandon: abandoned, of those answered or abandoned
  (short abandons excluded). ASA: average speed of answer. EWT: estimated wait for a new arrival.
  Durations in minutes:seconds.</footer>
)html";

// The script. It builds every element from the snapshot with DOM calls (textContent, dataset):
// no text from routerd is ever parsed as HTML.
constexpr std::string_view kScript = R"js(
'use strict';
(function () {
  var STATES = [['READY', 'Ready', '#3ee07f'], ['RESERVED', 'Reserved', '#5cb3ff'],
                ['BUSY', 'Busy', '#c08cff'], ['WRAP_UP', 'Wrap-up', '#7fd6e0'],
                ['NOT_READY', 'Not ready', '#ffc233'], ['LOGGED_OUT', 'Logged out', '#5d6975']];
  var FIELDS = ['waiting', 'longest_wait_s', 'service_level', 'asa_s', 'abandon_rate', 'ewt_s'];
  var SVG = 'http://www.w3.org/2000/svg';
  var source = null, last = null, lastMessageAt = 0, updates = 0, retry = null;
  var rows = {};
  var histories = {};  // queue -> the sl_history points last sent (messages between omit them)
  function $(id) { return document.getElementById(id); }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  // 75.4 -> "1:15"; an hour or more -> "1:02:03". Whole seconds, rounded down.
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h > 0 ? h + ':' + pad(m) + ':' + pad(r) : m + ':' + pad(r);
  }
  function percent(x) { return Math.round(x * 100) + '%'; }
  function percent1(x) { return (Math.round(x * 1000) / 10).toFixed(1) + '%'; }
  function clock(ms) {
    var d = new Date(ms);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function set(e, value, text, cls) {
    e.dataset.value = String(value);
    e.textContent = text;
    e.className = cls || '';
  }
  function banner(cls, text) {
    var b = $('banner');
    b.className = cls || '';
    b.textContent = text || '';
  }

  function makeRow(name) {
    var tr = el('tr'), cells = {};
    var q = el('td', 'queue', name);
    q.title = name;
    tr.appendChild(q);
    FIELDS.forEach(function (f) {
      var td = el('td'), span = el('span');
      span.dataset.queue = name;
      span.dataset.field = f;
      td.appendChild(span);
      cells[f] = span;
      if (f === 'service_level') {
        var t = el('span', 'target');
        t.dataset.queue = name;
        t.dataset.field = 'service_level_target';
        td.appendChild(t);
        cells.target = t;
      }
      tr.appendChild(td);
    });
    var td = el('td'), svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 120 30');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.dataset.queue = name;
    svg.dataset.field = 'sl_history';
    td.appendChild(svg);
    tr.appendChild(td);
    return {tr: tr, cells: cells, svg: svg};
  }

  // The last hour of service level: x is time (the right edge is the snapshot), y 0..100%; the
  // dashed line is the target; a gap longer than 2.5 steps breaks the line.
  function spark(svg, q, s) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var end = s.sampled_at_ms, span = s.history.span_s * 1000, step = s.history.step_s * 1000;
    if (q.sl_history) histories[q.queue] = q.sl_history;
    var kept = histories[q.queue] || [];
    var pts = kept.slice();
    if (s.routerd.ok) pts.push([end, q.service_level]);
    svg.dataset.points = String(kept.length);
    // The scale runs from a little under the lowest of the target and the hour's values (a
    // multiple of 10%) up to 100%, so that the differences that matter show.
    var lo = q.service_level_target;
    pts.forEach(function (p) { lo = Math.min(lo, p[1]); });
    lo = Math.max(0, Math.floor((lo - 0.05) * 10) / 10);
    function x(t) { return Math.max(0, 120 * (1 - (end - t) / span)); }
    function y(v) { return 28 - 26 * (Math.max(lo, Math.min(1, v)) - lo) / (1 - lo); }
    var target = document.createElementNS(SVG, 'line');
    target.setAttribute('x1', '0'); target.setAttribute('x2', '120');
    target.setAttribute('y1', y(q.service_level_target)); target.setAttribute('y2', y(q.service_level_target));
    target.setAttribute('stroke', '#93a1b0'); target.setAttribute('stroke-width', '1');
    target.setAttribute('stroke-dasharray', '3 3'); target.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.appendChild(target);
    var d = '', prev = null;
    pts.forEach(function (p) {
      if (end - p[0] > span) return;
      d += (prev === null || p[0] - prev > 2.5 * step ? 'M' : 'L') + x(p[0]).toFixed(2) + ' ' + y(p[1]).toFixed(2) + ' ';
      prev = p[0];
    });
    if (d) {
      var path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', d);
      path.setAttribute('fill', 'none');
      path.setAttribute('stroke', q.below_target ? '#ff5a5a' : '#3ee07f');
      path.setAttribute('stroke-width', '2.5');
      path.setAttribute('stroke-linejoin', 'round');
      path.setAttribute('vector-effect', 'non-scaling-stroke');
      svg.appendChild(path);
    }
  }

  function renderQueues(s) {
    var body = $('queues'), seen = {};
    s.queues.forEach(function (q) {
      var r = rows[q.queue] || (rows[q.queue] = makeRow(q.queue));
      seen[q.queue] = true;
      body.appendChild(r.tr);  // (re)placed in the snapshot's order
      var c = r.cells;
      set(c.waiting, q.waiting, String(q.waiting), q.waiting > 0 ? '' : 'dim');
      set(c.longest_wait_s, q.longest_wait_s, duration(q.longest_wait_s),
          q.longest_wait_s > q.service_level_threshold_s ? 'warn' : (q.waiting > 0 ? '' : 'dim'));
      set(c.service_level, q.service_level, percent(q.service_level), q.below_target ? 'bad' : 'ok');
      set(c.target, q.service_level_target, 'target ' + percent(q.service_level_target) + ' in ' +
          duration(q.service_level_threshold_s), 'target');
      set(c.asa_s, q.asa_s, duration(q.asa_s));
      set(c.abandon_rate, q.abandon_rate, percent1(q.abandon_rate), q.abandon_rate > 0 ? '' : 'dim');
      set(c.ewt_s, q.ewt_s, duration(q.ewt_s));
      spark(r.svg, q, s);
    });
    Object.keys(rows).forEach(function (name) {
      if (!seen[name]) { body.removeChild(rows[name].tr); delete rows[name]; delete histories[name]; }
    });
  }

  function renderAgents(a) {
    set($('agents-total'), a.total, '(' + a.total + ')');
    var states = $('states');
    while (states.firstChild) states.removeChild(states.firstChild);
    STATES.forEach(function (st) {
      var row = el('div', 'row'), label = el('span', 'label'), dot = el('span', 'dot');
      dot.style.background = st[2];
      label.appendChild(dot);
      label.appendChild(document.createTextNode(st[1]));
      var n = el('span', 'n');
      var v = a.by_state[st[0]] || 0;
      n.dataset.agentsState = st[0];
      n.dataset.value = String(v);
      n.textContent = String(v);
      row.appendChild(label);
      row.appendChild(n);
      states.appendChild(row);
    });
    var reasons = $('reasons');
    while (reasons.firstChild) reasons.removeChild(reasons.firstChild);
    var names = Object.keys(a.not_ready_by_reason).sort(function (x, y) {
      return a.not_ready_by_reason[y] - a.not_ready_by_reason[x] || (x < y ? -1 : 1);
    });
    if (names.length === 0) reasons.appendChild(el('div', 'row dim', 'none'));
    names.forEach(function (name) {
      var row = el('div', 'row'), n = el('span', 'n');
      n.dataset.agentsReason = name;
      n.dataset.value = String(a.not_ready_by_reason[name]);
      n.textContent = String(a.not_ready_by_reason[name]);
      row.appendChild(el('span', 'label', name));
      row.appendChild(n);
      reasons.appendChild(row);
    });
  }

  function render(s) {
    last = s;
    document.body.dataset.seq = String(s.seq);
    document.body.dataset.updates = String(updates);
    set($('at'), s.at_ms, s.at_ms ? clock(s.at_ms) : '--:--:--');
    $('title').textContent = s.title;
    document.title = s.title;
    $('board').className = 'live';
    $('at-wrap').hidden = false;
    $('signout').hidden = false;
    renderQueues(s);
    renderAgents(s.agents);
    if (s.routerd.ok) {
      set($('status'), 'live', 'live from routerd ' + s.routerd.address);
      banner('', '');
    } else {
      set($('status'), 'stale', 'routerd not answering', 'bad');
      banner('bad', 'routerd ' + s.routerd.address + ' is not answering since ' +
             clock(s.routerd.failing_since_ms) + ' (' + s.routerd.error + '). ' +
             (s.at_ms ? 'The figures are from ' + clock(s.at_ms) + '.' : 'No figures yet.'));
    }
  }

  // Signed out, refused or not yet signed in: nothing of the queues stays on the page.
  function signedOut(message) {
    if (source) { source.close(); source = null; }
    last = null;
    rows = {};
    histories = {};
    ['queues', 'states', 'reasons'].forEach(function (id) {
      var e = $(id);
      while (e.firstChild) e.removeChild(e.firstChild);
    });
    set($('agents-total'), '', '');
    set($('at'), '', '--:--:--');
    $('board').className = '';
    $('at-wrap').hidden = true;
    $('signout').hidden = true;
    set($('status'), 'signed_out', 'not signed in', 'bad');
    banner('', '');
    $('login').className = 'shown';
    $('auth-error').textContent = message || '';
    $('token').focus();
  }

  function later(fn, ms) { clearTimeout(retry); retry = setTimeout(fn, ms); }

  // The event stream closed for good (EventSource does not say why): ask.
  function diagnose() {
    fetch('/api/snapshot', {cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        return r.json().then(function (b) { signedOut(b.error); },
                             function () { signedOut('HTTP ' + r.status); });
      }
      return fetch('/events', {method: 'HEAD', cache: 'no-store', credentials: 'same-origin'})
          .then(function (h) {
            if (h.status === 503) {
              banner('warn', 'Too many screens are watching this routerwall; trying again in 10 s.');
              later(connect, 10000);
            } else {
              banner('warn', 'The event stream closed (HTTP ' + h.status + '); reconnecting…');
              later(connect, 3000);
            }
          });
    }).catch(function () {
      banner('warn', 'routerwall is not answering; trying again in 5 s.');
      later(connect, 5000);
    });
  }

  function connect() {
    if (source) source.close();
    source = new EventSource('/events');
    source.onmessage = function (e) {
      updates++;
      lastMessageAt = Date.now();
      render(JSON.parse(e.data));
    };
    source.addEventListener('refused', function (e) {
      var reason = {};
      try { reason = JSON.parse(e.data); } catch (x) {}
      signedOut(reason.error || 'routerd no longer accepts this token');
    });
    source.onerror = function () {
      if (!source) return;
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        diagnose();
      } else {
        banner('warn', 'Lost the connection to routerwall; reconnecting…');
      }
    };
  }

  function signIn(token) {
    $('auth-error').textContent = '';
    fetch('/login', {method: 'POST', credentials: 'same-origin', cache: 'no-store',
                     headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                     body: 'token=' + encodeURIComponent(token)}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (r.ok) {
          $('token').value = '';
          $('login').className = '';
          set($('status'), 'connecting', 'connecting…');
          connect();
        } else {
          signedOut(b.error || ('HTTP ' + r.status));
        }
      });
    }).catch(function () { signedOut('routerwall is not answering'); });
  }

  $('login').addEventListener('submit', function (e) {
    e.preventDefault();
    signIn($('token').value.trim());
  });
  $('signout').addEventListener('click', function () {
    fetch('/logout', {method: 'POST', credentials: 'same-origin'}).then(function () {
      signedOut('');
    }, function () { signedOut(''); });
  });

  setInterval(function () {
    $('clock').textContent = clock(Date.now());
    if (last && source && Date.now() - lastMessageAt > 3000 * last.interval_s + 2000) {
      banner('warn', 'No update from routerwall for ' +
             Math.round((Date.now() - lastMessageAt) / 1000) + ' s.');
    }
  }, 500);
  $('clock').textContent = clock(Date.now());

  // A kiosk opens http://host:8090/#token=...: the fragment never leaves the browser; it is
  // posted to /login (which sets the cookie) and removed from the address bar and history.
  var m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    history.replaceState(null, '', location.pathname + location.search);
    signIn(decodeURIComponent(m[1]));
  } else {
    connect();
  }
})();
)js";

constexpr std::string_view kTail = "</body>\n</html>\n";

}  // namespace

std::string_view page_script() { return kScript; }

std::string page_html() {
  std::string html(kHead);
  html += "<script>";
  html += kScript;
  html += "</script>\n";
  html += kTail;
  return html;
}

std::string page_script_hash() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(kScript.data(), kScript.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL cannot compute a SHA-256");
  }
  std::string base64(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), digest,
                                static_cast<int>(size));
  base64.resize(static_cast<size_t>(n));
  return "sha256-" + base64;
}

}  // namespace router::wall
