// The download page of an end-to-end encrypted file (docs/encryption.md,
// "In the browser"): decrypts with the key the link carries after '#key='
// (never sent to the server), or a passphrase or age identity typed in.
// "Decrypt and save" hands the job to the service worker /decrypt-sw.js,
// which streams the plaintext to disk as a download (flat memory, resumed
// across cuts); where no service worker can run, the file is decrypted in
// memory and saved from there. "Show it here" decrypts a small picture or
// text into the page. Uses the vendored age-encryption (global `age`),
// loaded when first needed.
'use strict';

(function () {
  const card = document.getElementById('decrypt');
  if (!card) {
    return;
  }
  const messages = (() => {
    try {
      return JSON.parse(document.getElementById('decrypt-i18n').textContent);
    } catch (_) {
      return {};
    }
  })();
  function tr(key, vars) {
    const text = messages[key] || key;
    return text.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
  }
  const url = card.dataset.url;
  const name = card.dataset.name;
  const size = Number(card.dataset.size);
  const previewKind = card.dataset.preview;
  const secretField = document.getElementById('decrypt-secret-field');
  const secretInput = document.getElementById('decrypt-secret');
  const save = document.getElementById('decrypt-save');
  const show = document.getElementById('decrypt-preview');
  const progress = document.getElementById('decrypt-progress');
  const status = document.getElementById('decrypt-status');
  const shown = document.getElementById('decrypt-shown');

  const fromLink = (() => {
    const m = /(?:^#|&)key=(AGE-SECRET-KEY-1[0-9A-Za-z]+)/.exec(window.location.hash);
    return m ? m[1].toUpperCase() : '';
  })();
  if (fromLink) {
    secretField.hidden = true;
  }
  if (previewKind) {
    show.hidden = false;
  }

  function say(text, state) {
    status.textContent = text;
    status.dataset.state = state || '';
  }

  function secret() {
    const s = fromLink || secretInput.value.trim();
    if (!s) {
      say(tr('need-secret'), 'error');
      secretInput.focus();
    }
    return s;
  }

  // The age library (144 KB), loaded from this origin the first time it is
  // needed (docs/web.md, "Weight").
  function loadAge() {
    if (window.age) {
      return Promise.resolve(window.age);
    }
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/static/age.min.js';
      script.addEventListener('load', () => resolve(window.age));
      script.addEventListener('error', () => reject(new Error('age.min.js')));
      document.head.appendChild(script);
    });
  }

  function decrypter(s) {
    const d = new window.age.Decrypter();
    const identity = /AGE-SECRET-KEY-1[0-9A-Za-z]+/.exec(s);
    if (identity) {
      d.addIdentity(identity[0].toUpperCase());
    } else {
      d.addPassphrase(s);
    }
    return d;
  }

  function showProgress(sent, total) {
    progress.hidden = false;
    progress.value = total > 0 ? Math.floor((sent * 100) / total) : 100;
  }

  // The whole plaintext as a Blob (Chromium keeps large Blobs on disk).
  // Throws {wrongKey} when the header does not open.
  async function decryptToBlob(s, type) {
    await loadAge();
    const resp = await fetch(url, { credentials: 'same-origin' });
    if (!resp.ok) {
      throw new Error('HTTP ' + resp.status);
    }
    let plain;
    try {
      plain = await decrypter(s).decrypt(resp.body);
    } catch (err) {
      err.wrongKey = true;
      throw err;
    }
    const total = plain.size(size);
    const parts = [];
    let sent = 0;
    const reader = plain.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      parts.push(value);
      sent += value.length;
      showProgress(sent, total);
    }
    return new Blob(parts, { type: type || 'application/octet-stream' });
  }

  function failed(err) {
    say(err && err.wrongKey ? tr('wrong-key') : tr('failed', { reason: err && err.message }), 'error');
    save.disabled = false;
    show.disabled = false;
  }

  async function worker() {
    if (!('serviceWorker' in navigator)) {
      return null;
    }
    try {
      const reg = await navigator.serviceWorker.register('/decrypt-sw.js', { scope: '/decrypt/' });
      const sw = reg.active || reg.waiting || reg.installing;
      if (sw.state !== 'activated') {
        await new Promise((resolve) => {
          sw.addEventListener('statechange', () => {
            if (sw.state === 'activated') {
              resolve();
            }
          });
        });
      }
      return sw;
    } catch (_) {
      return null;
    }
  }

  async function saveInMemory(s) {
    say(tr('in-memory'));
    const blob = await decryptToBlob(s);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    say(tr('saved', { name: name }), 'done');
    save.disabled = false;
  }

  save.addEventListener('click', async () => {
    const s = secret();
    if (!s) {
      return;
    }
    save.disabled = true;
    say(tr('checking'));
    const sw = await worker();
    if (!sw) {
      saveInMemory(s).catch(failed);
      return;
    }
    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, '0')).join('');
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => {
      const m = e.data;
      if (m.ready) {
        say(tr('saving', { name: name }));
        showProgress(0, 1);
        // A navigation inside the worker's scope: the browser saves what
        // the worker answers as a download.
        const frame = document.createElement('iframe');
        frame.hidden = true;
        frame.src = '/decrypt/' + token + '/' + encodeURIComponent(name);
        card.appendChild(frame);
      } else if (m.progress !== undefined) {
        showProgress(m.progress, m.total);
      } else if (m.done !== undefined) {
        showProgress(1, 1);
        say(tr('saved', { name: name }), 'done');
        save.disabled = false;
      } else if (m.error !== undefined) {
        failed({ wrongKey: m.wrongKey, message: m.error });
      }
    };
    sw.postMessage({ token: token, url: url, secret: s, name: name, size: size }, [channel.port2]);
  });

  show.addEventListener('click', async () => {
    const s = secret();
    if (!s) {
      return;
    }
    show.disabled = true;
    say(tr('checking'));
    try {
      if (previewKind === 'image') {
        const blob = await decryptToBlob(s);
        const img = document.createElement('img');
        img.id = 'decrypted-image';
        img.alt = tr('preview-alt', { name: name });
        img.src = URL.createObjectURL(blob);
        shown.replaceChildren(img);
      } else {
        const blob = await decryptToBlob(s);
        const pre = document.createElement('pre');
        pre.id = 'decrypted-text';
        pre.textContent = await blob.text();
        shown.replaceChildren(pre);
      }
      say('', 'shown');
      show.hidden = true;
    } catch (err) {
      failed(err);
    }
  });
})();
