// My files (docs/my-files.md): only enhancements. Without this script
// every action is a plain form; it adds the copy-link buttons and the
// select-all box. It sets text, attributes and properties only (CSP).
(function () {
  'use strict';
  var announce = document.getElementById('copied');

  // The page's words, in its language (data attributes from the server).
  function text(name, fallback) {
    return (announce && announce.getAttribute(name)) || fallback;
  }

  function say(words) {
    if (announce) {
      announce.textContent = '';
      announce.textContent = words;
    }
  }

  document.querySelectorAll('button.copy[data-url]').forEach(function (b) {
    if (!navigator.clipboard) {
      return;
    }
    b.hidden = false;
    b.addEventListener('click', function () {
      var label = b.textContent;
      navigator.clipboard.writeText(b.getAttribute('data-url')).then(function () {
        b.textContent = text('data-copied', 'Copied');
        say(text('data-done', 'Link copied'));
        setTimeout(function () { b.textContent = label; }, 2000);
      }, function () {
        say(text('data-failed', 'Could not copy the link'));
      });
    });
  });

  var all = document.getElementById('select-all');
  var picked = document.getElementById('picked');
  var boxes = Array.prototype.slice.call(
    document.querySelectorAll('input[type=checkbox][name=file_id][form=bulk]'));

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
    if (picked) {
      var one = picked.getAttribute('data-one') || '1 file selected';
      var many = picked.getAttribute('data-many') || '{n} files selected';
      picked.textContent = n === 0 ? '' : (n === 1 ? one : many.replace('{n}', String(n)));
    }
  }

  if (all && boxes.length > 0) {
    all.hidden = false;
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', update); });
  update();
})();
