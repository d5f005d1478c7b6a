// Live updates: a page that watches something (data-live on <main>) listens to the server's
// events and reloads its main region when that changed, unless the coordinator is typing.
'use strict';
(function () {
  var main = document.querySelector('main[data-live]');
  if (!main || !window.EventSource) return;
  var watch = main.getAttribute('data-live');
  var busy = function () {
    var el = document.activeElement;
    if (el && (el.tagName === 'TEXTAREA' || el.tagName === 'INPUT' || el.tagName === 'SELECT') && el.value) return true;
    return Array.prototype.some.call(main.querySelectorAll('textarea'), function (t) { return t.value !== ''; });
  };
  var pending = false;
  var refresh = function () {
    if (busy()) { pending = true; return; }
    pending = false;
    fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
        if (next) main.innerHTML = next.innerHTML;
        main.setAttribute('data-updated', String(Date.now()));
      })
      .catch(function () {});
  };
  document.addEventListener('focusout', function () { if (pending) setTimeout(refresh, 0); });
  var source = new EventSource('/inbox/events?watch=' + encodeURIComponent(watch));
  source.addEventListener('change', refresh);
})();
