/* Tributary console: a single page over the admin API (/api); every view refreshes itself every 2 s. */
(function () {
  'use strict';
  var API = '../api/';
  var view = document.getElementById('view');
  var current = null; // {refresh: fn}
  var timer = null;

  // ---- helpers
  function esc(s) {
    return s === null || s === undefined ? '' : String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  var me = { username: '', role: 'viewer', csrfToken: null }; // who is logged in (GET /api/session)
  function isAdmin() { return me.role === 'admin'; }
  var generation = 0; // bumped on navigation: answers to reads issued by the previous page are dropped
  function api(method, path, body) {
    var issued = generation;
    function stale() { return method === 'GET' && issued !== generation; }
    var opts = { method: method, credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' } };
    if (method !== 'GET' && me.csrfToken) { opts.headers['X-CSRF-Token'] = me.csrfToken; }
    if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
    return fetch(API + path, opts).then(function (r) {
      if (stale()) { return new Promise(function () {}); }
      if (r.status === 401) { location.href = 'login.html'; return new Promise(function () {}); }
      setConn(true);
      if (r.status === 204) { return null; }
      return r.text().then(function (t) {
        var j = null;
        try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
        if (!r.ok) {
          var msg = j && j.detail ? j.detail + (j.field ? ' (field: ' + j.field + ')' : '') : 'HTTP ' + r.status;
          var err = new Error(msg); err.status = r.status; throw err;
        }
        return j;
      });
    }, function (e) {
      if (stale()) { return new Promise(function () {}); }
      setConn(false); throw new Error('cannot reach the broker: ' + e.message);
    });
  }
  function setConn(up) {
    var c = document.getElementById('conn');
    c.textContent = up ? 'live · updated ' + new Date().toLocaleTimeString() : 'broker unreachable';
    c.className = up ? 'conn' : 'conn down';
  }
  function toast(kind, text) {
    var t = document.createElement('div');
    t.className = kind; t.textContent = text;
    t.setAttribute('data-kind', kind);
    document.getElementById('toast').appendChild(t);
    setTimeout(function () { t.remove(); }, kind === 'error' ? 9000 : 5000);
  }
  function action(promise, okText) {
    return promise.then(function (r) { toast('ok', typeof okText === 'function' ? okText(r) : okText); refreshNow(); return r; },
      function (e) { toast('error', e.message); throw e; });
  }
  function bytes(n) {
    if (n < 0) { return '—'; }
    if (n < 1024) { return Math.round(n) + ' B'; }
    if (n < 1048576) { return (n / 1024).toFixed(1) + ' KiB'; }
    if (n < 1073741824) { return (n / 1048576).toFixed(1) + ' MiB'; }
    return (n / 1073741824).toFixed(2) + ' GiB';
  }
  function dash(n) { return n < 0 ? '—' : n; }
  function $(id) { return document.getElementById(id); }
  function fill(id, html) { var e = $(id); if (e) { e.innerHTML = html; } }
  function card(k, v, bad, id) {
    return '<div class="card' + (bad ? ' bad' : '') + '"><div class="v"' + (id ? ' id="' + id + '"' : '') + '>' + esc(v) +
      '</div><div class="k">' + esc(k) + '</div></div>';
  }
  var errorsShown = 0; // a refresh that shows no new error clears the old one
  function showError(html) { errorsShown++; fill('error', html); }
  function fail(e) { setConn(false); showError('<p class="bad">' + esc(e.message) + '</p>'); }

  // ---- charts survive navigation so the overview keeps its history
  var history = { inRate: null, bytes: null };
  function pollStats() {
    return api('GET', 'stats').then(function (s) {
      if (history.inRate) {
        history.inRate.push([s.flow.messagesInPerSec, s.flow.messagesOutPerSec]);
        history.bytes.push([s.flow.bytesInPerSec, s.flow.bytesOutPerSec]);
      }
      return s;
    });
  }

  // ---- views
  var views = {};

  views.overview = function () {
    view.innerHTML = '<h1>Overview</h1><div id="error"></div><div class="cards" id="cards"></div>' +
      '<div class="charts"><div class="chart"><b>Messages per second</b> <span class="muted">(in: appended by producers; out: sent to consumers)</span>' +
      '<canvas id="chart-messages"></canvas></div><div class="chart"><b>Bytes per second</b><canvas id="chart-bytes"></canvas></div></div>' +
      '<h2>Brokers</h2><div id="brokers"></div><h2>Topics</h2><div id="topics"></div>';
    history.inRate = new LineChart($('chart-messages'), [{ name: 'in', color: '#2962a8' }, { name: 'out', color: '#ef6c00', dash: [6, 4] }], 60);
    history.bytes = new LineChart($('chart-bytes'), [{ name: 'in', color: '#2e7d32' }, { name: 'out', color: '#8e24aa', dash: [6, 4] }], 60);
    return {
      refresh: function () {
        return Promise.all([api('GET', 'cluster'), pollStats(), api('GET', 'topics')]).then(function (r) {
          var c = r[0], s = r[1], topics = r[2];
          fill('cards', card('Brokers alive', c.liveBrokers + ' / ' + c.brokers.length, c.liveBrokers < c.brokers.length) +
            card('Controller', c.controllerId < 0 ? 'none' : 'broker ' + c.controllerId, c.controllerId < 0) +
            card('Topics', s.topicCount, false, 'topic-count') + card('Partitions', s.partitionCount) +
            card('Under-replicated', s.underReplicated, s.underReplicated > 0) +
            card('Offline partitions', s.offline, s.offline > 0) +
            card('Messages in/s', s.flow.messagesInPerSec.toFixed(1), false, 'rate-messages-in') +
            card('Messages out/s', s.flow.messagesOutPerSec.toFixed(1), false, 'rate-messages-out') +
            card('Bytes in/s', bytes(s.flow.bytesInPerSec)) + card('Bytes out/s', bytes(s.flow.bytesOutPerSec)));
          fill('brokers', brokerTable(c));
          fill('topics', topicTable(topics));
        }, fail);
      }
    };
  };

  function brokerTable(c) {
    return '<table id="brokers-table"><tr><th>Id</th><th>Host</th><th class="num">Kafka port</th><th class="num">HTTP port</th>' +
      '<th>Rack</th><th>Status</th><th>Role</th></tr>' + c.brokers.map(function (b) {
        return '<tr><td>' + b.id + '</td><td>' + esc(b.host) + '</td><td class="num">' + b.kafkaPort + '</td><td class="num">' +
          b.httpPort + '</td><td>' + esc(b.rack || '—') + '</td><td class="' + (b.alive ? 'ok">alive' : 'bad">down') + '</td><td>' +
          (b.id === c.controllerId ? 'controller' : '') + (b.id === c.localBrokerId ? ' (this broker)' : '') + '</td></tr>';
      }).join('') + '</table>';
  }

  function topicTable(topics) {
    if (!topics.length) { return '<p class="muted">No topics yet.</p>'; }
    return '<table id="topics-table"><tr><th>Name</th><th class="num">Partitions</th><th class="num">RF</th>' +
      '<th class="num">Under-replicated</th><th class="num">Messages</th><th class="num">Size</th></tr>' +
      topics.map(function (t) {
        return '<tr data-topic="' + esc(t.name) + '"><td><a href="#/topics/' + encodeURIComponent(t.name) + '">' + esc(t.name) +
          '</a></td><td class="num">' + t.partitions + '</td><td class="num">' + t.replicationFactor + '</td><td class="num' +
          (t.underReplicated ? ' bad' : '') + '">' + t.underReplicated + '</td><td class="num">' + t.messages +
          '</td><td class="num">' + bytes(t.sizeBytes) + '</td></tr>';
      }).join('') + '</table>';
  }

  views.brokers = function () {
    view.innerHTML = '<h1>Brokers</h1><div id="error"></div><div id="cluster"></div><div id="brokers"></div>' +
      '<h2>Partition reassignments in progress</h2><div id="reassignments"></div>' +
      '<h2>Requests on this broker</h2><p class="muted">Kafka API requests since start; time from arrival to response, ' +
      'percentiles over the last minute (a fetch includes its long-poll wait).</p><div id="requests"></div>';
    return {
      refresh: function () {
        return Promise.all([api('GET', 'cluster'), api('GET', 'stats'), api('GET', 'reassignments')]).then(function (r) {
          var c = r[0], s = r[1];
          fill('cluster', '<p>Cluster <code>' + esc(c.clusterId) + '</code>, controller: broker ' + c.controllerId + '</p>');
          fill('brokers', brokerTable(c));
          fill('reassignments', reassignmentTable(r[2]));
          fill('requests', requestTable(s.requests));
        }, fail);
      }
    };
  };

  function reassignmentTable(rs) {
    if (!rs.length) { return '<p class="muted" id="no-reassignments">None: every partition is on its assigned replicas.</p>'; }
    return '<table id="reassignments-table"><tr><th>Topic</th><th class="num">Partition</th><th>Replicas</th><th>Adding</th>' +
      '<th>Removing</th></tr>' + rs.map(function (a) {
        return '<tr><td><a href="#/topics/' + encodeURIComponent(a.topic) + '">' + esc(a.topic) + '</a></td><td class="num">' +
          a.partition + '</td><td>' + a.replicas.join(', ') + '</td><td>' + a.adding.join(', ') + '</td><td>' +
          a.removing.join(', ') + '</td></tr>';
      }).join('') + '</table>';
  }

  function ms(v) { return v < 10 ? v.toFixed(2) : v.toFixed(0); }

  function requestTable(rs) {
    if (!rs.length) { return '<p class="muted">No requests yet.</p>'; }
    return '<table id="requests-table"><tr><th>API</th><th class="num">Requests</th><th class="num">Per second</th>' +
      '<th class="num">Failed</th><th class="num">p50 ms</th><th class="num">p99 ms</th><th class="num">p99.9 ms</th>' +
      '<th class="num">Max ms</th></tr>' + rs.map(function (a) {
        return '<tr data-api="' + esc(a.api) + '"><td>' + esc(a.api) + '</td><td class="num">' + a.requests + '</td><td class="num">' +
          a.requestsPerSec.toFixed(1) + '</td><td class="num' + (a.errors ? ' bad' : '') + '">' + a.errors + '</td><td class="num">' +
          ms(a.p50Ms) + '</td><td class="num">' + ms(a.p99Ms) + '</td><td class="num">' + ms(a.p999Ms) + '</td><td class="num">' +
          ms(a.maxMs) + '</td></tr>';
      }).join('') + '</table>';
  }

  views.topics = function () {
    view.innerHTML = '<h1>Topics</h1><div id="error"></div>' +
      '<form class="inline admin-only" id="create-form"><label>Name<input id="new-topic-name" required placeholder="orders"></label>' +
      '<label>Partitions<input id="new-topic-partitions" type="number" min="1" value="1" style="width:90px"></label>' +
      '<label>Replication factor<input id="new-topic-rf" type="number" min="1" value="1" style="width:90px"></label>' +
      '<label>Configs (name=value per line)<textarea id="new-topic-configs" placeholder="retention.ms=86400000"></textarea></label>' +
      '<button id="create-topic" type="submit">Create topic</button></form>' +
      '<div class="toolbar"><label>Search<input id="search" placeholder="filter by name"></label></div><div id="topics"></div>';
    var all = [];
    function render() {
      var q = $('search').value.toLowerCase();
      fill('topics', topicTable(all.filter(function (t) { return t.name.toLowerCase().indexOf(q) >= 0; })));
    }
    $('search').addEventListener('input', render);
    $('create-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { name: $('new-topic-name').value.trim(), partitions: parseInt($('new-topic-partitions').value, 10),
        replicationFactor: parseInt($('new-topic-rf').value, 10), configs: parseLines($('new-topic-configs').value) };
      action(api('POST', 'topics', body), 'Topic ' + body.name + ' created').then(function () { $('new-topic-name').value = ''; }, function () {});
    });
    return {
      refresh: function () { return api('GET', 'topics').then(function (t) { all = t; render(); }, fail); }
    };
  };

  function parseLines(text) {
    var out = {};
    text.split('\n').forEach(function (l) {
      var i = l.indexOf('=');
      if (l.trim() && i > 0) { out[l.slice(0, i).trim()] = l.slice(i + 1).trim(); }
    });
    return out;
  }

  views.topic = function (name) {
    var enc = encodeURIComponent(name);
    view.innerHTML = '<h1>Topic <span id="topic-name">' + esc(name) + '</span></h1><div id="error"></div><div class="cards" id="cards"></div>' +
      '<div class="toolbar admin-only"><label>New partition count<input id="partition-count" type="number" min="1" style="width:90px"></label>' +
      '<button id="add-partitions" type="button">Add partitions</button>' +
      '<span style="flex:1"></span><button id="delete-topic" class="danger" type="button">Delete topic</button>' +
      '<span id="confirm-area"></span></div>' +
      '<h2>Partitions</h2><div id="partitions"></div>' +
      '<form class="inline admin-only" id="reassign-form"><label>Partition<input id="reassign-partition" type="number" min="0" style="width:70px"></label>' +
      '<label>Replicas (broker ids, preferred leader first)<input id="reassign-replicas" placeholder="1, 2, 0"></label>' +
      '<button id="reassign" type="submit">Move replicas</button>' +
      '<button id="cancel-reassignment" type="button" class="secondary">Cancel reassignment</button>' +
      '<span class="muted">New replicas copy the partition and join the ISR; then the old ones are dropped.</span></form>' +
      '<div class="cols"><div class="admin-only"><h2>Produce a record</h2><form class="inline" id="produce-form">' +
      '<label>Partition<input id="produce-partition" type="number" min="0" placeholder="auto" style="width:70px"></label>' +
      '<label>Key<input id="produce-key"></label><label>Value<textarea id="produce-value"></textarea></label>' +
      '<label>Headers (name=value per line)<textarea id="produce-headers"></textarea></label>' +
      '<button id="produce" type="submit">Produce</button></form></div>' +
      '<div><h2>Configs</h2><form class="inline admin-only" id="config-form"><label>Name<input id="config-name" placeholder="retention.ms"></label>' +
      '<label>Value<input id="config-value"></label><button id="set-config" type="submit">Set</button>' +
      '<button id="reset-config" type="button" class="secondary">Reset to default</button></form>' +
      '<div id="configs" style="max-height:260px;overflow:auto"></div></div></div>' +
      '<h2>Messages</h2><form class="inline" id="browse-form">' +
      '<label>Partition<input id="browse-partition" type="number" min="0" value="0" style="width:70px"></label>' +
      '<label>From offset<input id="browse-offset" type="number" min="0" value="0" style="width:110px"></label>' +
      '<label>or from time<input id="browse-time" type="datetime-local" step="1"></label>' +
      '<label>Limit<input id="browse-limit" type="number" min="1" max="500" value="50" style="width:70px"></label>' +
      '<label>Show as<select id="browse-format"><option>auto</option><option>text</option><option>json</option><option>hex</option>' +
      '<option>base64</option></select></label><button id="browse" type="submit">Show</button>' +
      '<button id="browse-prev" type="button" class="secondary">◀ Older</button><button id="browse-next" type="button" class="secondary">Newer ▶</button>' +
      '</form><div id="records"><p class="muted">Choose a partition and press Show.</p></div>';
    var lastRecords = [];
    function browse() {
      var q = 'topics/' + enc + '/partitions/' + encodeURIComponent($('browse-partition').value || '0') + '/records?limit=' +
        encodeURIComponent($('browse-limit').value || '50') + '&format=' + $('browse-format').value;
      if ($('browse-time').value) { q += '&timestamp=' + new Date($('browse-time').value).getTime(); }
      else { q += '&offset=' + encodeURIComponent($('browse-offset').value || '0'); }
      return api('GET', q).then(function (rs) {
        lastRecords = rs;
        fill('records', rs.length ? '<table id="records-table"><tr><th class="num">Offset</th><th>Time</th><th>Key</th><th>Value</th>' +
          '<th>Headers</th></tr>' + rs.map(function (r) {
            return '<tr><td class="num">' + r.offset + '</td><td>' + esc(r.time) + '</td><td><pre>' + esc(r.key) + '</pre>' +
              (r.keyFormat ? '<span class="muted">' + r.keyFormat + '</span>' : '') + '</td><td><pre>' + esc(r.value) +
              '</pre><span class="muted">' + esc(r.valueFormat || 'null') + '</span></td><td>' + r.headers.map(function (h) {
                return esc(h.key) + '=' + esc(h.value);
              }).join('<br>') + '</td></tr>';
          }).join('') + '</table>' : '<p class="muted" id="no-records">No records at this position.</p>');
      }, function (e) { toast('error', e.message); });
    }
    $('browse-form').addEventListener('submit', function (ev) { ev.preventDefault(); browse(); });
    $('browse-next').addEventListener('click', function () {
      $('browse-time').value = '';
      if (lastRecords.length) { $('browse-offset').value = lastRecords[lastRecords.length - 1].offset + 1; }
      browse();
    });
    $('browse-prev').addEventListener('click', function () {
      $('browse-time').value = '';
      var first = lastRecords.length ? lastRecords[0].offset : parseInt($('browse-offset').value || '0', 10);
      $('browse-offset').value = Math.max(0, first - parseInt($('browse-limit').value || '50', 10));
      browse();
    });
    $('produce-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var p = $('produce-partition').value;
      var body = { key: $('produce-key').value || null, value: $('produce-value').value,
        headers: parseLines($('produce-headers').value), partition: p === '' ? null : parseInt(p, 10) };
      action(api('POST', 'topics/' + enc + '/records', body), function (r) {
        return 'Produced to partition ' + r.partition + ' at offset ' + r.offset;
      }).then(function () {}, function () {});
    });
    $('config-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var set = {}; set[$('config-name').value.trim()] = $('config-value').value;
      action(api('PUT', 'topics/' + enc + '/configs', { set: set }), 'Config ' + $('config-name').value + ' set').then(loadConfigs, function () {});
    });
    $('reset-config').addEventListener('click', function () {
      action(api('PUT', 'topics/' + enc + '/configs', { reset: [$('config-name').value.trim()] }),
        'Config ' + $('config-name').value + ' reset to default').then(loadConfigs, function () {});
    });
    $('add-partitions').addEventListener('click', function () {
      action(api('POST', 'topics/' + enc + '/partitions', { count: parseInt($('partition-count').value, 10) }),
        'Partitions added').then(function () {}, function () {});
    });
    function reassignPartition() {
      var p = parseInt($('reassign-partition').value, 10);
      if (isNaN(p)) { toast('error', 'Choose the partition to move (or press Edit on its row)'); }
      return p;
    }
    $('reassign-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var p = reassignPartition();
      if (isNaN(p)) { return; }
      var ids = $('reassign-replicas').value.split(/[\s,]+/).filter(function (x) { return x !== ''; }).map(function (x) {
        return /^\d+$/.test(x) ? parseInt(x, 10) : null; // anything else is refused by the API, which names the field
      });
      action(api('PUT', 'topics/' + enc + '/partitions/' + p + '/replicas', { replicas: ids }), function (r) {
        return r.adding.length || r.removing.length ? 'Reassignment of partition ' + p + ' started: adding [' + r.adding.join(', ') +
          '], removing [' + r.removing.join(', ') + ']' : 'Partition ' + p + ' has replicas [' + r.replicas.join(', ') + ']';
      }).then(function () {}, function () {});
    });
    $('cancel-reassignment').addEventListener('click', function () {
      var p = reassignPartition();
      if (isNaN(p)) { return; }
      action(api('DELETE', 'topics/' + enc + '/partitions/' + p + '/reassignment'), 'Reassignment of partition ' + p + ' cancelled')
        .then(function () {}, function () {});
    });
    $('partitions').addEventListener('click', function (ev) {
      var b = ev.target, p = b.getAttribute && b.getAttribute('data-partition');
      if (p === null || p === undefined || !b.classList.contains('edit-replicas')) { return; }
      $('reassign-partition').value = p;
      $('reassign-replicas').value = b.getAttribute('data-target');
      $('reassign-replicas').focus();
    });
    $('delete-topic').addEventListener('click', function () {
      fill('confirm-area', 'Delete topic ' + esc(name) + ' and all its data? <button id="confirm-delete" class="danger" type="button">' +
        'Yes, delete</button> <button id="cancel-delete" class="secondary" type="button">Cancel</button>');
      $('cancel-delete').addEventListener('click', function () { fill('confirm-area', ''); });
      $('confirm-delete').addEventListener('click', function () {
        action(api('DELETE', 'topics/' + enc), 'Topic ' + name + ' deleted').then(function () { location.hash = '#/topics'; }, function () {});
      });
    });
    function loadConfigs() {
      return api('GET', 'topics/' + enc + '/configs').then(function (cs) {
        fill('configs', '<table id="configs-table"><tr><th>Name</th><th>Value</th><th>Source</th></tr>' + cs.map(function (c) {
          var over = c.source && c.source.indexOf('TOPIC') >= 0;
          return '<tr><td>' + (over ? '<b>' + esc(c.name) + '</b>' : esc(c.name)) + '</td><td>' + esc(c.sensitive ? '(hidden)' : c.value) +
            '</td><td class="muted">' + esc(c.source) + '</td></tr>';
        }).join('') + '</table>');
      }, function (e) { fill('configs', '<p class="bad">' + esc(e.message) + '</p>'); });
    }
    loadConfigs();
    return {
      refresh: function () {
        return api('GET', 'topics/' + enc).then(function (t) {
          fill('cards', card('Partitions', t.partitionCount) + card('Replication factor', t.replicationFactor) +
            card('Under-replicated', t.underReplicated, t.underReplicated > 0) + card('Offline', t.offline, t.offline > 0) +
            card('Messages', t.messages) + card('Size on disk', bytes(t.sizeBytes)));
          var pc = $('partition-count'); // absent for viewers
          if (pc && !pc.value) { pc.value = t.partitionCount + 1; }
          fill('partitions', '<table id="partitions-table"><tr><th class="num">Partition</th><th class="num">Leader</th><th>Replicas</th>' +
            '<th>ISR</th><th>Reassignment</th><th class="num">Log start</th><th class="num">Log end</th><th class="num">High watermark</th>' +
            '<th class="num">Size</th></tr>' + t.partitions.map(function (p) {
              var target = p.replicas.filter(function (r) { return p.removing.indexOf(r) < 0; });
              var moving = p.adding.length || p.removing.length;
              return '<tr data-partition="' + p.partition + '"><td class="num">' + p.partition + '</td><td class="num' + (p.leader < 0 ? ' bad' : '') + '">' +
                (p.leader < 0 ? 'none' : p.leader) + '</td><td>' + p.replicas.join(', ') +
                (isAdmin() ? ' <button type="button" class="secondary small edit-replicas" data-partition="' + p.partition +
                  '" data-target="' + target.join(', ') + '">Edit</button>' : '') + '</td><td class="' +
                (p.isr.length < p.replicas.length - p.adding.length ? 'bad' : '') + '">' + p.isr.join(', ') + '</td><td class="reassignment">' +
                (moving ? 'adding ' + (p.adding.join(', ') || '—') + ' · removing ' + (p.removing.join(', ') || '—') : '') +
                '</td><td class="num">' + p.logStartOffset +
                '</td><td class="num">' + p.logEndOffset + '</td><td class="num">' + p.highWatermark + '</td><td class="num">' +
                bytes(p.sizeBytes) + '</td></tr>';
            }).join('') + '</table>');
        }, function (e) {
          if (e.status === 404) { showError('<p class="bad">Topic ' + esc(name) + ' does not exist.</p>'); } else { fail(e); }
        });
      }
    };
  };

  views.groups = function () {
    view.innerHTML = '<h1>Consumer groups</h1><div id="error"></div><div id="groups"></div>';
    return {
      refresh: function () {
        return api('GET', 'groups').then(function (gs) {
          fill('groups', gs.length ? '<table id="groups-table"><tr><th>Group</th><th>State</th><th>Protocol</th>' +
            '<th class="num">Members</th><th class="num">Total lag</th></tr>' + gs.map(function (g) {
              return '<tr data-group="' + esc(g.groupId) + '"><td><a href="#/groups/' + encodeURIComponent(g.groupId) + '">' +
                esc(g.groupId) + '</a></td><td>' + esc(g.state) + '</td><td>' + esc(g.protocol || '') + '</td><td class="num">' +
                g.members + '</td><td class="num">' + g.totalLag + '</td></tr>';
            }).join('') + '</table>' : '<p class="muted">No consumer groups yet.</p>');
        }, fail);
      }
    };
  };

  /** A duration in ms as "4 s", "3 min 20 s", "2 h 5 min". */
  function age(msValue) {
    if (msValue < 0) { return '—'; }
    var s = Math.floor(msValue / 1000);
    if (s < 60) { return s + ' s'; }
    if (s < 3600) { return Math.floor(s / 60) + ' min ' + (s % 60) + ' s'; }
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  views.transactions = function () {
    view.innerHTML = '<h1>Open transactions</h1><p class="muted">Ongoing or being committed/aborted, oldest first. An open ' +
      'transaction holds back read_committed consumers of its partitions until it ends or times out.</p>' +
      '<form class="inline" id="txn-filter"><label>Topic <input id="txn-topic" placeholder="all topics"></label></form>' +
      '<div id="error"></div><div id="transactions"></div>';
    $('txn-filter').addEventListener('submit', function (ev) { ev.preventDefault(); refreshNow(); });
    return {
      refresh: function () {
        var topic = $('txn-topic') ? $('txn-topic').value.trim() : '';
        return api('GET', 'transactions' + (topic ? '?topic=' + encodeURIComponent(topic) : '')).then(function (ts) {
          fill('transactions', ts.length ? '<table id="transactions-table"><tr><th>Transactional id</th><th>State</th>' +
            '<th class="num">Producer id</th><th class="num">Epoch</th><th>Started</th><th class="num">Age</th>' +
            '<th class="num">Timeout</th><th class="num">Coordinator</th><th>Partitions</th></tr>' + ts.map(function (t) {
              var parts = Object.keys(t.partitions).map(function (name) {
                return '<a href="#/topics/' + encodeURIComponent(name) + '">' + esc(name) + '</a> ' + esc(t.partitions[name].join(', '));
              }).join('<br>');
              var old = t.ageMs >= 0 && t.ageMs > t.timeoutMs / 2;
              return '<tr data-txn="' + esc(t.transactionalId) + '"><td>' + esc(t.transactionalId) + '</td><td>' + esc(t.state) +
                '</td><td class="num">' + t.producerId + '</td><td class="num">' + t.producerEpoch + '</td><td>' +
                esc(t.startTime || '—') + '</td><td class="num txn-age' + (old ? ' bad' : '') + '" data-age-ms="' + t.ageMs + '">' +
                age(t.ageMs) + '</td><td class="num">' + age(t.timeoutMs) + '</td><td class="num">' + t.coordinatorId +
                '</td><td>' + parts + '</td></tr>';
            }).join('') + '</table>' : '<p class="muted" id="no-transactions">No open transactions.</p>');
        }, fail);
      }
    };
  };

  views.group = function (id) {
    var enc = encodeURIComponent(id);
    view.innerHTML = '<h1>Consumer group <span id="group-id">' + esc(id) + '</span></h1><div id="error"></div><div class="cards" id="cards"></div>' +
      '<h2>Lag per partition</h2><div id="lag"></div><h2>Members</h2><div id="members"></div>' +
      '<h2 class="admin-only">Reset offsets</h2><form class="inline admin-only" id="reset-form"><label>To<select id="reset-to"><option value="earliest">earliest</option>' +
      '<option value="latest">latest</option><option value="timestamp">time</option><option value="offset">offset</option></select></label>' +
      '<label>Offset<input id="reset-offset" type="number" min="0" style="width:110px"></label>' +
      '<label>Time<input id="reset-time" type="datetime-local" step="1"></label>' +
      '<label>Topic (optional)<input id="reset-topic"></label><label>Partition (optional)<input id="reset-partition" type="number" min="0" style="width:70px"></label>' +
      '<button id="reset" type="submit">Reset offsets</button><span class="muted">The group must have no active members.</span></form>' +
      '<div class="toolbar admin-only"><button id="delete-group" class="danger" type="button">Delete group</button></div>';
    $('reset-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var to = $('reset-to').value, body = { to: to };
      if (to === 'offset') { body.offset = $('reset-offset').value === '' ? null : parseInt($('reset-offset').value, 10); }
      if (to === 'timestamp') { body.timestamp = $('reset-time').value ? new Date($('reset-time').value).getTime() : null; }
      if ($('reset-topic').value.trim()) { body.topic = $('reset-topic').value.trim(); }
      if ($('reset-partition').value !== '') { body.partition = parseInt($('reset-partition').value, 10); }
      action(api('POST', 'groups/' + enc + '/offsets/reset', body), function (r) {
        return 'Offsets reset: ' + Object.keys(r.offsets).map(function (k) { return k + '→' + r.offsets[k]; }).join(', ');
      }).then(function () {}, function () {});
    });
    $('delete-group').addEventListener('click', function () {
      action(api('DELETE', 'groups/' + enc), 'Group ' + id + ' deleted').then(function () { location.hash = '#/groups'; }, function () {});
    });
    return {
      refresh: function () {
        return api('GET', 'groups/' + enc).then(function (g) {
          fill('cards', card('State', g.state) + card('Members', g.members.length) + card('Protocol', g.protocol || '—') +
            card('Total lag', g.totalLag, false, 'total-lag'));
          fill('lag', g.lag.length ? '<table id="lag-table"><tr><th>Topic</th><th class="num">Partition</th><th class="num">Committed</th>' +
            '<th class="num">Log end</th><th class="num">Lag</th></tr>' + g.lag.map(function (l) {
              return '<tr><td>' + esc(l.topic) + '</td><td class="num">' + l.partition + '</td><td class="num">' + dash(l.committedOffset) +
                '</td><td class="num">' + dash(l.logEndOffset) + '</td><td class="num">' + dash(l.lag) + '</td></tr>';
            }).join('') + '<tr class="total"><td colspan="4">Total</td><td class="num">' + g.totalLag + '</td></tr></table>'
            : '<p class="muted">No committed offsets.</p>');
          fill('members', g.members.length ? '<table id="members-table"><tr><th>Member</th><th>Client</th><th>Host</th><th>Assigned</th></tr>' +
            g.members.map(function (m) {
              return '<tr><td>' + esc(m.memberId) + '</td><td>' + esc(m.clientId) + '</td><td>' + esc(m.host) + '</td><td>' +
                esc(m.assignments.join(', ')) + '</td></tr>';
            }).join('') + '</table>' : '<p class="muted">No active members.</p>');
        }, function (e) {
          if (e.status === 404) { showError('<p class="bad">Group ' + esc(id) + ' does not exist.</p>'); } else { fail(e); }
        });
      }
    };
  };

  views.audit = function () {
    view.innerHTML = '<h1>Audit trail</h1><div id="error"></div>' +
      '<form class="inline" id="audit-form"><label>Principal<input id="audit-principal" placeholder="admin or User:alice"></label>' +
      '<label>Resource<input id="audit-resource" placeholder="part of a name"></label>' +
      '<label>From<input id="audit-from" type="datetime-local" step="1"></label><label>To<input id="audit-to" type="datetime-local" step="1"></label>' +
      '<button id="audit-search" type="submit">Search</button>' +
      '<button id="audit-prev" type="button" class="secondary">◀ Newer</button><button id="audit-next" type="button" class="secondary">Older ▶</button>' +
      '<span id="audit-count" class="muted"></span></form><div id="audit"></div>';
    var page = 0, size = 50, total = 0;
    function query() {
      var q = 'audit?page=' + page + '&size=' + size;
      if ($('audit-principal').value.trim()) { q += '&principal=' + encodeURIComponent($('audit-principal').value.trim()); }
      if ($('audit-resource').value.trim()) { q += '&resource=' + encodeURIComponent($('audit-resource').value.trim()); }
      if ($('audit-from').value) { q += '&from=' + new Date($('audit-from').value).getTime(); }
      if ($('audit-to').value) { q += '&to=' + new Date($('audit-to').value).getTime(); }
      return api('GET', q).then(function (p) {
        total = p.total;
        fill('audit-count', p.total + ' event(s); page ' + (p.page + 1) + ' of ' + Math.max(1, Math.ceil(p.total / p.size)));
        fill('audit', '<table id="audit-table"><tr><th>Time</th><th>Principal</th><th>From</th><th>Via</th><th>Action</th>' +
          '<th>Resource</th><th>Result</th><th>Detail</th></tr>' + p.items.map(function (a) {
            return '<tr><td>' + esc(a.time) + '</td><td>' + esc(a.principal) + '</td><td>' + esc(a.clientAddress) + '</td><td>' +
              esc(a.source) + '</td><td>' + esc(a.action) + '</td><td>' + esc(a.resourceType) + ' ' + esc(a.resourceName) +
              '</td><td class="' + (a.result === 'NONE' ? 'ok' : 'bad') + '">' + esc(a.result) + '</td><td>' + esc(a.detail) + '</td></tr>';
          }).join('') + '</table>');
      }, fail);
    }
    $('audit-form').addEventListener('submit', function (ev) { ev.preventDefault(); page = 0; query(); });
    $('audit-prev').addEventListener('click', function () { if (page > 0) { page--; query(); } });
    $('audit-next').addEventListener('click', function () { if ((page + 1) * size < total) { page++; query(); } });
    return { refresh: query };
  };

  views.accounts = function () {
    view.innerHTML = '<h1>Accounts</h1><div id="error"></div>' +
      '<form class="inline" id="account-form"><label>User<input id="new-user" required></label>' +
      '<label>Role<select id="new-role"><option>viewer</option><option>admin</option></select></label>' +
      '<label>Password (12+ characters)<input id="new-password" type="password" minlength="12" required autocomplete="new-password"></label>' +
      '<button id="create-account" type="submit">Create account</button></form><div id="accounts"></div>';
    $('account-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { username: $('new-user').value.trim(), role: $('new-role').value, password: $('new-password').value };
      action(api('POST', 'accounts', body), 'Account ' + body.username + ' created').then(function () {
        $('new-user').value = ''; $('new-password').value = '';
      }, function () {});
    });
    $('accounts').addEventListener('click', function (ev) {
      var b = ev.target, u = b.getAttribute && b.getAttribute('data-user');
      if (!u) { return; }
      var enc = encodeURIComponent(u);
      if (b.classList.contains('set-role')) {
        var role = b.getAttribute('data-role');
        action(api('PUT', 'accounts/' + enc + '/role', { role: role }), u + ' is now ' + role).then(function () {}, function () {});
      } else if (b.classList.contains('reset-password')) {
        var p = window.prompt('New password for ' + u + ' (12 characters or more)');
        if (p) { action(api('PUT', 'accounts/' + enc + '/password', { password: p }), 'Password of ' + u + ' reset').then(function () {}, function () {}); }
      } else if (b.classList.contains('delete-account')) {
        action(api('DELETE', 'accounts/' + enc), 'Account ' + u + ' deleted').then(function () {}, function () {});
      }
    });
    return {
      refresh: function () {
        return api('GET', 'accounts').then(function (as) {
          fill('accounts', '<table id="accounts-table"><tr><th>User</th><th>Role</th><th>Created</th><th>Changed</th><th></th></tr>' +
            as.map(function (a) {
              var other = a.role === 'admin' ? 'viewer' : 'admin', u = esc(a.username);
              return '<tr><td>' + u + '</td><td>' + esc(a.role) + '</td><td>' + esc(a.created) + '</td><td>' + esc(a.updated) +
                '</td><td><button type="button" class="secondary set-role" data-user="' + u + '" data-role="' + other + '">Make ' + other +
                '</button> <button type="button" class="secondary reset-password" data-user="' + u + '">Reset password</button> ' +
                '<button type="button" class="danger delete-account" data-user="' + u + '">Delete</button></td></tr>';
            }).join('') + '</table>');
        }, fail);
      }
    };
  };

  // ---- routing and live refresh
  function route() {
    generation++;
    var parts = (location.hash || '#/overview').slice(2).split('/').map(decodeURIComponent);
    var page = parts[0] || 'overview';
    var v;
    if (page === 'topics' && parts[1]) { v = views.topic(parts.slice(1).join('/')); }
    else if (page === 'groups' && parts[1]) { v = views.group(parts.slice(1).join('/')); }
    else { v = (views[page] || views.overview)(); }
    if (page !== 'overview') { history.inRate = null; history.bytes = null; }
    pruneForRole();
    document.querySelectorAll('[data-nav]').forEach(function (a) { a.classList.toggle('active', a.getAttribute('data-nav') === page); });
    current = v;
    refreshNow();
  }
  function refreshNow() {
    var before = errorsShown, v = current;
    if (v) {
      v.refresh().then(function () { if (errorsShown === before && v === current) { fill('error', ''); } });
    }
  }
  /** A viewer is read-only: the controls that change anything are removed, not just disabled (the API refuses them anyway). */
  function pruneForRole() {
    if (!isAdmin()) { document.querySelectorAll('.admin-only').forEach(function (e) { e.remove(); }); }
  }
  $('logout').addEventListener('click', function () {
    api('DELETE', 'session').then(function () { location.href = 'login.html'; }, function () { location.href = 'login.html'; });
  });
  api('GET', 'session').then(function (m) {
    me = m;
    $('me-name').textContent = m.username;
    $('me-role').textContent = m.role;
    window.addEventListener('hashchange', route);
    clearInterval(timer);
    timer = setInterval(refreshNow, 2000);
    route();
  }, function (e) { showError('<p class="bad">' + esc(e.message) + '</p>'); });
})();
