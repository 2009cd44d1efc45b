// The upload page: pick or drop files, then each one gets its own upload
// identifier (POST /upload/new) and is posted to /upload/{identifier} with
// XHR, whose upload progress drives the bar. Served from this origin only
// (the page's CSP allows no inline or foreign script). No build step.
'use strict';

(function () {
  const form = document.getElementById('upload-form');
  if (!form) {
    return;
  }
  const csrf = form.dataset.csrf;
  const input = document.getElementById('files');
  const drop = document.getElementById('drop');
  const chosen = document.getElementById('chosen');
  const results = document.getElementById('results');
  const start = document.getElementById('start');
  const status = document.getElementById('status');
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

  function human(n) {
    const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
    let u = 0;
    while (n >= 1024 && u < units.length - 1) {
      n /= 1024;
      u++;
    }
    return u === 0 ? n + ' bytes' : n.toFixed(1) + ' ' + units[u];
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

  async function copy(text, button) {
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
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy'; }, 1500);
  }

  function linkRow(label, cls, url) {
    const p = el('p', {});
    p.appendChild(document.createTextNode(label + ': '));
    p.appendChild(el('a', { class: cls, href: url, target: '_blank', rel: 'noopener' }, url));
    p.appendChild(document.createTextNode(' '));
    const b = el('button', { type: 'button', class: 'copy' }, 'Copy');
    b.addEventListener('click', () => copy(url, b));
    p.appendChild(b);
    return p;
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
        throw new Error(err ? err.getAttribute('text') : 'Upload failed');
      }
      return { download_url: text('download_url'), delete_url: text('delete_url') };
    }
    const kv = {};
    for (const line of xhr.responseText.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) {
        kv[line.slice(0, i)] = line.slice(i + 1);
      }
    }
    if (kv.upload_status !== 'ok') {
      throw new Error(kv.error || 'Upload failed');
    }
    return post('/upload/links', { file_id: kv.file_id });
  }

  function send(offer, file, bar, pct) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.append('extra_info', offer.extra_info);
      data.append('UPLOAD_IDENTIFIER', offer.upload_identifier);
      data.append('description', document.getElementById('description').value);
      data.append('password', document.getElementById('password').value);
      data.append('recipient_email', document.getElementById('recipients').value);
      data.append('recipient_message', document.getElementById('message').value);
      data.append('userfile', file, file.name);
      const xhr = new XMLHttpRequest();
      // The path only: same origin whatever public_url says.
      xhr.open('POST', '/upload/' + encodeURIComponent(offer.upload_identifier));
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable && e.total > 0) {
          const p = Math.floor((e.loaded * 100) / e.total);
          bar.value = p;
          pct.textContent = p + ' %';
        }
      });
      xhr.addEventListener('load', () => resolve(xhr));
      xhr.addEventListener('error', () => reject(new Error('The connection failed')));
      xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled')));
      xhr.send(data);
    });
  }

  async function uploadOne(file) {
    const n = counter++;
    const box = el('div', { class: 'result', id: 'result-' + n });
    const head = el('p', {});
    head.appendChild(el('b', { class: 'name' }, file.name));
    head.appendChild(document.createTextNode(' (' + human(file.size) + ') '));
    const pct = el('span', { class: 'pct' }, '0 %');
    head.appendChild(pct);
    const bar = el('progress', { max: '100', value: '0' });
    const msg = el('p', { class: 'msg' });
    box.append(head, bar, msg);
    results.appendChild(box);
    box.scrollIntoView({ block: 'nearest' });
    try {
      const offer = await post('/upload/new', {});
      const max = Number(offer.max_file_size);
      if (max >= 0 && file.size > max) {
        throw new Error('The file is larger than the maximum file size (' + human(max) + ')');
      }
      const xhr = await send(offer, file, bar, pct);
      const links = await outcome(offer, xhr);
      bar.value = 100;
      pct.textContent = '100 %';
      msg.textContent = 'Done.';
      msg.className = 'msg ok';
      box.append(linkRow('Download', 'download', links.download_url));
      if (links.delete_url) {
        box.append(linkRow('Delete', 'delete', links.delete_url));
      }
      box.classList.add('done');
      box.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      msg.textContent = 'Failed: ' + e.message;
      msg.className = 'msg err';
      box.classList.add('failed');
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (picked.length === 0) {
      status.textContent = 'Choose a file first.';
      return;
    }
    status.textContent = '';
    start.disabled = true;
    const files = picked;
    picked = [];
    input.value = '';
    showPicked();
    for (const f of files) {
      await uploadOne(f);
    }
    start.disabled = false;
  });
})();
