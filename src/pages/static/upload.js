// The upload page: pick or drop files, then each one gets its own upload
// identifier (POST /upload/new) and goes resumably through /tus/ with
// tus-js-client (loaded before this script) in chunks of data-chunk bytes:
// a dropped connection or a restarting server is retried from the last
// acknowledged byte, and the same file picked again after a reload or a
// browser restart continues its upload (tus-js-client keeps the upload's
// URL in localStorage by the file's name, type, size and date). An empty
// file, or any file in a browser tus-js-client does not support, is posted
// to /upload/{identifier} with XHR. Served from this origin only (the
// page's CSP allows no inline or foreign script, nor inline styles: this
// script sets only text, attributes and classes). No build step. Status
// changes are read out through the page's live regions (#status,
// #announce, #toast). Several files uploaded together also get one link
// (docs/web.md, "Bundles"): an account's go into a new shared folder made
// first, an anonymous upload's are bundled once stored. Its words come from
// the page's #i18n data block, in the page's language (docs/languages.md).
// With "Encrypt in this browser" (docs/encryption.md, "In the browser")
// each file is encrypted with age (the vendored age-encryption, global
// `age`, loaded when first needed) as tus-js-client reads it, and sent as NAME.age: to a new key
// that only the link's fragment carries, to a passphrase, or to accounts'
// published keys; a file request's page encrypts to its owner's keys.
'use strict';

(function () {
  const form = document.getElementById('upload-form');
  if (!form) {
    return;
  }
  const csrf = form.dataset.csrf;
  const account = form.dataset.account === '1';
  // A file request's page (docs/file-requests.md): identifiers come from
  // the request, every file goes through /tus/, and each answers a receipt.
  const request = form.dataset.request || '';
  const newUpload = request
    ? ['/r/' + encodeURIComponent(request) + '/new', { pass: form.dataset.pass || '' }]
    : ['/upload/new', {}];
  const resumable = Boolean(window.tus && window.tus.isSupported);
  const chunkSize = Number(form.dataset.chunk) || 50 * 1024 * 1024;
  // An encrypted file is read as a stream, and tus-js-client keeps each
  // chunk in memory until it is acknowledged: smaller chunks, flat memory.
  const sealedChunkSize = Math.min(chunkSize, 16 * 1024 * 1024);
  // A file request whose owner encrypts: their public keys.
  const requestRecipients = (form.dataset.recipients || '').split(',').filter(Boolean);
  const endpoint = new URL('/tus/', window.location.href).href;
  // Retried for about five minutes: long enough for a server to restart and
  // for the lock of a request that died with it to lapse.
  const retryDelays = [0, 1000, 2000, 4000, 8000].concat(Array(28).fill(10000));
  const input = document.getElementById('files');
  const drop = document.getElementById('drop');
  const chosen = document.getElementById('chosen');
  const results = document.getElementById('results');
  const start = document.getElementById('start');
  const status = document.getElementById('status');
  const announcer = document.getElementById('announce');
  const toast = document.getElementById('toast');
  let toastTimer = null;
  const lang = document.documentElement.lang || 'en';
  const messages = (() => {
    try {
      return JSON.parse(document.getElementById('i18n').textContent);
    } catch (_) {
      return {};
    }
  })();
  const plurals = new Intl.PluralRules(lang);

  // A message with its {name} variables filled in (one pass: a value that
  // holds braces stays as it is).
  function tr(key, vars) {
    const text = messages[key] || key;
    return text.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
  }

  // The plural form of `key` for `count` (`key-one`, `key-other`).
  function trn(key, count) {
    const form = key + '-' + plurals.select(count);
    return tr(form in messages ? form : key + '-other', { count: count });
  }
  let picked = [];
  let counter = 0;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, v);
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  // As the server writes sizes: "1.5 MB", "1,5 Mo".
  function human(n) {
    if (n < 1024) {
      return trn('bytes', Math.round(n));
    }
    const units = ['size-kb', 'size-mb', 'size-gb', 'size-tb'];
    let u = -1;
    while (n >= 1024 && u < units.length - 1) {
      n /= 1024;
      u++;
    }
    const value = n.toLocaleString(lang,
      { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
    return tr(units[u], { value: value });
  }

  // Read out by screen readers (a polite live region), not shown.
  function announce(text) {
    if (announcer) {
      announcer.textContent = text;
    }
  }

  // Shown briefly at the bottom of the page, and read out.
  function showToast(text) {
    if (!toast) {
      return;
    }
    toast.textContent = text;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.textContent = ''; }, 2500);
  }

  function showPicked() {
    chosen.replaceChildren(...picked.map((f) => el('li', {}, f.name + ' (' + human(f.size) + ')')));
  }

  input.addEventListener('change', () => {
    picked = Array.from(input.files);
    showPicked();
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    picked = Array.from(e.dataTransfer.files);
    showPicked();
  });

  // The encryption choice shows its options only when chosen.
  const encrypt = document.getElementById('encrypt');
  function showEncryptOptions() {
    const how = (document.querySelector('input[name="encrypt-with"]:checked') || {}).value;
    document.getElementById('encrypt-options').hidden = !encrypt.checked;
    document.getElementById('encrypt-passphrase-field').hidden = how !== 'passphrase';
    const to = document.getElementById('encrypt-to-field');
    if (to) {
      to.hidden = how !== 'users';
    }
  }
  if (encrypt) {
    encrypt.addEventListener('change', showEncryptOptions);
    for (const radio of document.querySelectorAll('input[name="encrypt-with"]')) {
      radio.addEventListener('change', showEncryptOptions);
    }
  }

  // Encrypting needs the age library (144 KB) and encrypt.js, loaded from
  // this origin only when a batch is encrypted (docs/web.md, "Weight").
  function load(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.addEventListener('load', resolve);
      script.addEventListener('error', () => reject(new Error(src)));
      document.head.appendChild(script);
    });
  }

  // How this batch is encrypted (encrypt.js's `sealFor`), or null.
  async function sealFor() {
    if (requestRecipients.length === 0 && (!encrypt || !encrypt.checked)) {
      return null;
    }
    if (!window.dropspaceEncrypt) {
      await load('/static/age.min.js');
      await load('/static/encrypt.js');
    }
    return window.dropspaceEncrypt.sealFor(requestRecipients, post, tr);
  }

  async function copy(text, button, told) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // No clipboard API (plain http on another host): select and copy.
      const area = el('textarea', {});
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    button.textContent = tr('copied');
    showToast(told);
    setTimeout(() => { button.textContent = tr('copy'); }, 1500);
  }

  // A link with its copy button, named for the file ("Copy download link
  // for report.pdf") so that each button of the page has its own name.
  // `kind`: download, key (a download link with its key), delete, bundle or receipt.
  function linkRow(kind, url, fileName) {
    const row = el('div', { class: 'link-row' });
    row.appendChild(el('span', { class: 'label' }, tr('link-' + kind)));
    // A link with its key is still the download link.
    const cls = kind === 'key' ? 'download key' : kind;
    row.appendChild(el('a', { class: cls, href: url, target: '_blank', rel: 'noopener' }, url));
    const b = el('button', {
      type: 'button',
      class: 'copy btn btn-secondary btn-sm',
      'aria-label': tr('copy-' + kind, { name: fileName }),
    }, tr('copy'));
    b.addEventListener('click', () => copy(url, b, tr('copied-' + kind, { name: fileName })));
    row.appendChild(b);
    return row;
  }

  async function post(path, fields) {
    const resp = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(Object.assign({ csrf: csrf }, fields)),
    });
    let answer = {};
    try {
      answer = await resp.json();
    } catch (_) {
      // Not JSON: keep the HTTP status as the error.
    }
    if (!resp.ok) {
      throw new Error(answer.error || 'HTTP ' + resp.status);
    }
    return answer;
  }

  // The upload endpoint answers key=value lines (sessions) or <upload_done>
  // XML (anonymous); both become {download_url, delete_url} or an error.
  async function outcome(offer, xhr) {
    if (offer.anonymous) {
      const doc = new DOMParser().parseFromString(xhr.responseText, 'text/xml');
      const text = (tag) => {
        const n = doc.getElementsByTagName(tag)[0];
        return n ? n.textContent : '';
      };
      if (text('status') !== 'ok') {
        const err = doc.getElementsByTagName('error')[0];
        throw new Error(err ? err.getAttribute('text') : tr('upload-failed'));
      }
      return {
        download_url: text('download_url'),
        delete_url: text('delete_url'),
        pending: text('scan_status') === 'pending',
      };
    }
    const kv = {};
    for (const line of xhr.responseText.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) {
        kv[line.slice(0, i)] = line.slice(i + 1);
      }
    }
    if (kv.upload_status !== 'ok') {
      throw new Error(kv.error || tr('upload-failed'));
    }
    // Hidden until its virus scan finds it clean: no links to show yet.
    if (kv.scan_status === 'pending') {
      return { pending: true };
    }
    return post('/upload/links', { file_id: kv.file_id });
  }

  function duration(secs) {
    if (!isFinite(secs)) {
      return '';
    }
    secs = Math.ceil(secs);
    if (secs < 60) {
      return tr('secs', { s: secs });
    }
    const m = Math.floor(secs / 60);
    return m < 60
      ? tr('mins', { m: m, s: secs % 60 })
      : tr('hours', { h: Math.floor(m / 60), m: m % 60 });
  }

  // Speed over the last few seconds, and the time left at that speed.
  function meter(speed) {
    const samples = [];
    return (sent, total) => {
      const now = performance.now();
      samples.push([now, sent]);
      while (samples.length > 2 && now - samples[0][0] > 5000) {
        samples.shift();
      }
      const [t0, b0] = samples[0];
      const rate = now > t0 ? ((sent - b0) * 1000) / (now - t0) : 0;
      speed.textContent = rate > 0
        ? tr('speed', { rate: human(rate), left: duration((total - sent) / rate) })
        : '';
    };
  }

  // The whole batch when it has several files: the bytes of the files
  // behind it plus the current one's, of all of them.
  let batch = null;

  function startBatch(files) {
    const old = document.getElementById('overall');
    if (old) {
      old.removeAttribute('id');
    }
    batch = null;
    if (files.length < 2) {
      return;
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    const box = el('div', { class: 'result overall', id: 'overall' });
    const head = el('div', { class: 'head' });
    head.appendChild(el('b', { class: 'name' }, tr('overall', { count: files.length })));
    head.appendChild(el('span', { class: 'size' }, human(total)));
    const pct = el('span', { class: 'pct' }, '0 %');
    const speed = el('span', { class: 'speed' });
    head.append(pct, speed);
    const bar = el('progress', { max: '100', value: '0', 'aria-label': tr('overall-label') });
    box.append(head, bar);
    results.appendChild(box);
    batch = { total: total, base: 0, bar: bar, pct: pct, speed: speed, tick: meter(speed) };
  }

  function batchProgress(sent) {
    if (batch && batch.total > 0) {
      showProgress(batch.bar, batch.pct, batch.base + sent, batch.total);
      batch.tick(batch.base + sent, batch.total);
    }
  }

  // A file of the batch is over (stored or not): its bytes count as done.
  function batchFileEnded(size) {
    if (batch) {
      batch.base += size;
      batchProgress(0);
    }
  }

  function endBatch() {
    if (batch) {
      batch.bar.value = 100;
      batch.pct.textContent = '100 %';
      batch.speed.textContent = '';
      batch = null;
    }
  }

  function showProgress(bar, pct, sent, total) {
    if (total > 0) {
      const p = Math.floor((sent * 100) / total);
      bar.value = p;
      pct.textContent = p + ' %';
    }
  }

  // The form's fields an upload carries, by their upload-form names; the
  // limits go with limit_action 2 (deleted once reached) when there are any.
  function fields(folderId) {
    const out = {};
    const ids = {
      description: 'description',
      password: 'password',
      recipient_email: 'recipients',
      recipient_message: 'message',
      time_limit: 'expiry',
      downloads_limit: 'downloads',
    };
    for (const [key, id] of Object.entries(ids)) {
      if (!document.getElementById(id)) {
        continue;
      }
      const value = document.getElementById(id).value.trim();
      if (value !== '' && value !== '0') {
        out[key] = key === 'description' || key === 'password'
          ? document.getElementById(id).value
          : value;
      }
    }
    if (out.time_limit || out.downloads_limit) {
      out.limit_action = '2';
    }
    if (folderId) {
      out.folder_id = folderId;
    }
    return out;
  }

  // The metadata of a resumable upload: the identifier and the form's fields.
  function metadata(offer, file, folderId) {
    return Object.assign({
      upload_identifier: offer.upload_identifier,
      extra_info: offer.extra_info,
      filename: file.name,
    }, fields(folderId));
  }

  // Sends a file through /tus/, continuing an upload of the same file left
  // unfinished earlier; resolves with its links. `ui.cancel` ends it.
  // `sealed`: the file's ciphertext (a stream: not resumed after a
  // reload, but continued across retries, since tus-js-client keeps the
  // unacknowledged chunk).
  function sendResumable(offer, file, ui, folderId, sealed) {
    return new Promise((resolve, reject) => {
      const tick = meter(ui.speed);
      const upload = new window.tus.Upload(sealed ? sealed.reader : file, {
        endpoint: endpoint,
        chunkSize: sealed ? sealedChunkSize : chunkSize,
        uploadSize: sealed ? sealed.size : null,
        storeFingerprintForResuming: !sealed,
        retryDelays: retryDelays,
        metadata: metadata(offer, sealed || file, folderId),
        removeFingerprintOnSuccess: true,
        onProgress(sent, total) {
          showProgress(ui.bar, ui.pct, sent, total);
          tick(sent, total);
          batchProgress(sent);
        },
        onError(err) {
          const body = err.originalResponse ? err.originalResponse.getBody() : '';
          reject(new Error((body || '').trim() || tr('connection-failed')));
        },
        onSuccess({ lastResponse }) {
          const header = (name) => lastResponse.getHeader(name) || '';
          const fileId = header('X-Dropspace-File-Id');
          const pending = header('X-Dropspace-Scan') === 'pending';
          if (request) {
            resolve({ receipt_url: header('X-Dropspace-Receipt-Url'), pending: pending });
          } else if (offer.anonymous) {
            resolve({
              download_url: header('X-Dropspace-Download-Url'),
              delete_url: header('X-Dropspace-Delete-Url'),
              pending: pending,
            });
          } else if (pending) {
            resolve({ pending: true });
          } else {
            resolve(post('/upload/links', { file_id: fileId }));
          }
        },
      });
      ui.cancel.hidden = false;
      ui.cancel.addEventListener('click', () => {
        ui.cancel.disabled = true;
        // Terminates the upload on the server: its bytes and space go.
        upload.abort(true).finally(() => reject(new Error('Cancelled')));
      });
      if (sealed) {
        upload.start();
        return;
      }
      upload.findPreviousUploads().then((previous) => {
        if (previous.length > 0) {
          upload.resumeFromPreviousUpload(previous[0]);
          ui.msg.textContent = tr('resuming');
        }
        upload.start();
      });
    });
  }

  function send(offer, file, bar, pct, folderId) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.append('extra_info', offer.extra_info);
      data.append('UPLOAD_IDENTIFIER', offer.upload_identifier);
      for (const [key, value] of Object.entries(fields(folderId))) {
        data.append(key, value);
      }
      data.append('userfile', file, file.name);
      const xhr = new XMLHttpRequest();
      // The path only: same origin whatever public_url says.
      xhr.open('POST', '/upload/' + encodeURIComponent(offer.upload_identifier));
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) {
          showProgress(bar, pct, e.loaded, e.total);
          batchProgress(Math.min(e.loaded, file.size));
        }
      });
      xhr.addEventListener('load', () => resolve(xhr));
      xhr.addEventListener('error', () => reject(new Error(tr('connection-failed'))));
      xhr.addEventListener('abort', () => reject(new Error(tr('was-cancelled'))));
      xhr.send(data);
    });
  }

  // Uploads one file into `folderId` (empty: the form's choice); its links,
  // or null when it failed.
  async function uploadOne(file, folderId, seal) {
    const n = counter++;
    const box = el('div', { class: 'result', id: 'result-' + n });
    const head = el('div', { class: 'head' });
    head.appendChild(el('b', { class: 'name' }, file.name));
    head.appendChild(el('span', { class: 'size' }, human(file.size)));
    const pct = el('span', { class: 'pct' }, '0 %');
    head.appendChild(pct);
    const speed = el('span', { class: 'speed' });
    head.appendChild(speed);
    const cancel = el('button', {
      type: 'button',
      class: 'cancel btn btn-secondary btn-sm',
      'aria-label': tr('cancel-label', { name: file.name }),
      hidden: '',
    }, tr('cancel'));
    head.appendChild(cancel);
    const bar = el('progress', {
      max: '100',
      value: '0',
      'aria-label': tr('progress-label', { name: file.name }),
    });
    const msg = el('p', { class: 'msg' });
    box.append(head, bar, msg);
    results.appendChild(box);
    box.scrollIntoView({ block: 'nearest' });
    try {
      const offer = await post(newUpload[0], newUpload[1]);
      let sealedFile = null;
      if (seal) {
        msg.textContent = tr('encrypting');
        sealedFile = await window.dropspaceEncrypt.sealed(file, seal, sealedChunkSize);
      }
      const max = Number(offer.max_file_size);
      if (max >= 0 && (sealedFile ? sealedFile.size : file.size) > max) {
        throw new Error(tr('too-large', { max: human(max) }));
      }
      let links;
      if (sealedFile || (resumable && (file.size > 0 || request))) {
        const ui = { bar, pct, speed, msg, cancel };
        links = await sendResumable(offer, file, ui, folderId, sealedFile);
      } else {
        links = await outcome(offer, await send(offer, file, bar, pct, folderId));
      }
      bar.value = 100;
      pct.textContent = '100 %';
      cancel.remove();
      speed.textContent = '';
      msg.textContent = links.pending
        ? tr('scanning')
        : tr('done');
      msg.className = 'msg ok';
      announce(file.name + ': ' + msg.textContent);
      if (links.download_url && seal && seal.identity) {
        // The key after '#': browsers never send it to the server.
        box.append(linkRow('key', links.download_url + '#key=' + seal.identity, file.name));
      } else if (links.download_url) {
        box.append(linkRow('download', links.download_url, file.name));
      }
      if (links.delete_url) {
        box.append(linkRow('delete', links.delete_url, file.name));
      }
      if (links.receipt_url) {
        box.append(linkRow('receipt', links.receipt_url, file.name));
      }
      box.classList.add('done');
      box.scrollIntoView({ block: 'nearest' });
      batchFileEnded(file.size);
      return links;
    } catch (e) {
      cancel.remove();
      speed.textContent = '';
      msg.textContent = e.message === 'Cancelled' ? tr('cancelled') : tr('failed', { reason: e.message });
      msg.className = 'msg err';
      announce(file.name + ': ' + msg.textContent);
      box.classList.add('failed');
      batchFileEnded(file.size);
      return null;
    }
  }

  function chosenFolder() {
    const select = document.getElementById('folder');
    return select ? select.value : '';
  }

  // The bundle's link, QR code and (anonymous) delete link, above the
  // files of its upload (`first`: the results shown before it).
  function showBundle(bundle, count, first) {
    const box = el('div', { class: 'result bundle done', id: 'bundle-result' });
    const all = tr('all-files', { count: count });
    box.appendChild(el('p', { class: 'head' }, tr('one-link', { count: count })));
    box.appendChild(linkRow('bundle', bundle.url, all));
    if (bundle.delete_url) {
      box.appendChild(linkRow('delete', bundle.delete_url, all));
    }
    box.appendChild(el('img', {
      class: 'qr',
      src: bundle.qr,
      width: '160',
      height: '160',
      alt: tr('qr-alt', { count: count }),
    }));
    results.insertBefore(box, results.children[first] || null);
    announce(tr('bundle-ready', { count: count }));
  }

  // An anonymous upload's files, proven by their delete links' secrets.
  function bundlePairs(done) {
    return done
      .map((links) => new URL(links.delete_url, window.location.href).pathname.split('/'))
      .map((parts) => parts.slice(-2).join('/'))
      .join(',');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (picked.length === 0) {
      status.textContent = tr('choose-first');
      return;
    }
    status.textContent = trn('uploading', picked.length);
    start.disabled = true;
    const files = picked;
    picked = [];
    input.value = '';
    showPicked();
    // Nothing sent: the files stay chosen, the reason shown.
    const giveBack = (err) => {
      status.textContent = tr('failed', { reason: err.message });
      picked = files;
      showPicked();
      start.disabled = false;
    };
    let seal = null;
    try {
      seal = await sealFor();
    } catch (err) {
      giveBack(err);
      return;
    }
    const bundleBox = document.getElementById('bundle');
    // Encrypted files each get their own link (with its key).
    const together = files.length > 1 && !seal && Boolean(bundleBox && bundleBox.checked);
    let folderId = chosenFolder();
    let bundle = null;
    try {
      if (together && account) {
        const when = new Date().toLocaleString(lang);
        bundle = await post('/upload/folder', { name: tr('folder-name', { when: when }), parent: folderId });
        folderId = bundle.folder_id;
      }
    } catch (err) {
      giveBack(err);
      return;
    }
    const failed = [];
    const done = [];
    startBatch(files);
    const first = results.children.length;
    for (const f of files) {
      const links = await uploadOne(f, folderId, seal);
      if (links) {
        done.push(links);
      } else {
        failed.push(f);
      }
    }
    endBatch();
    try {
      const proven = done.filter((l) => l.delete_url);
      if (together && !account && proven.length > 1) {
        bundle = await post('/upload/bundle', { files: bundlePairs(proven) });
      }
      if (bundle && done.length > 0) {
        showBundle(bundle, done.length, first);
      }
      status.textContent = '';
    } catch (err) {
      status.textContent = tr('bundle-failed', { reason: err.message });
    }
    // What failed stays chosen: Upload again retries it.
    if (failed.length > 0) {
      picked = failed;
      showPicked();
      status.textContent = trn('retry', failed.length);
    }
    start.disabled = false;
  });
})();
