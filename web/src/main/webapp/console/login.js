/* Tributary console: the login form and the first-admin setup form. */
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function post(path, body) {
    return fetch('../api/' + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json',
      'X-Requested-With': 'XMLHttpRequest' }, body: JSON.stringify(body), credentials: 'same-origin' })
      .then(function (r) {
        return r.text().then(function (t) {
          var j = null;
          try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
          if (!r.ok) { throw new Error(j && j.detail ? j.detail : 'HTTP ' + r.status); }
          return j;
        });
      });
  }
  function shown(e) { $('login-error').textContent = e.message; }
  if ($('login-form')) {
    fetch('../api/setup', { headers: { 'Accept': 'application/json' } }).then(function (r) { return r.json(); })
      .then(function (s) { if (s.open) { $('setup-hint').hidden = false; } }, function () {});
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      post('session', { username: $('username').value, password: $('password').value })
        .then(function () { location.href = './'; }, shown);
    });
  }
  if ($('setup-form')) {
    $('setup-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      post('setup', { secret: $('secret').value.trim(), username: $('username').value.trim(), password: $('password').value })
        .then(function () { location.href = 'login.html'; }, shown);
    });
  }
})();
