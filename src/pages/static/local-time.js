// Shows every <time datetime> in the viewer's time zone and language; the
// server's UTC text stays in its title (docs/languages.md).
(function () {
  'use strict';
  function run() {
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) {
      return;
    }
    var all = document.querySelectorAll('time[datetime]');
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      var when = new Date(el.getAttribute('datetime'));
      if (isNaN(when.getTime())) continue;
      if (!el.title) el.title = el.textContent;
      el.textContent = fmt.format(when);
      el.setAttribute('data-local', '');
    }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', run);
  } else {
    run();
  }
})();
