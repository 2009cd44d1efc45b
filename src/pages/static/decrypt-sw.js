// The decrypting service worker (docs/encryption.md, "In the browser"),
// registered by decrypt.js with the scope /decrypt/. The download page
// hands it a job — the ciphertext's signed URL, the key or passphrase, the
// name and size — over a MessageChannel; it reads the age header (so a
// wrong key is told before anything is saved), then answers the page's
// navigation to /decrypt/{token}/{name} with the plaintext as a download
// the browser writes to disk as it arrives: memory stays flat whatever the
// size. A cut connection (a restarting server) is continued with a Range
// request from the last ciphertext byte received. The key never leaves the
// browser: it is used here, and the server only ever sees the ciphertext's
// URL.
'use strict';

importScripts('/static/age.min.js');

// Jobs by token, between the page's message and its navigation.
const jobs = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('message', (e) => {
  const port = e.ports[0];
  if (port) {
    e.waitUntil(prepare(e.data, port));
  }
});

function decrypterFor(secret) {
  const d = new self.age.Decrypter();
  const identity = /AGE-SECRET-KEY-1[0-9A-Za-z]+/.exec(secret);
  if (identity) {
    d.addIdentity(identity[0].toUpperCase());
  } else {
    d.addPassphrase(secret);
  }
  return d;
}

// The ciphertext at `url` as one stream, continued after a cut by Range
// requests (If-Range: the same bytes or nothing) for about five minutes.
function resuming(url, port) {
  let got = 0;
  let reader = null;
  let failures = 0;
  let validator = null;
  return new ReadableStream({
    async pull(ctrl) {
      for (;;) {
        try {
          if (!reader) {
            const headers = {};
            if (got > 0) {
              headers.Range = 'bytes=' + got + '-';
              if (validator) {
                headers['If-Range'] = validator;
              }
            }
            const resp = await fetch(url, { headers: headers, credentials: 'same-origin', cache: 'no-store' });
            const expected = got > 0 ? 206 : 200;
            if (resp.status !== expected) {
              // Gone, refused, or changed: trying again will not help.
              const err = new Error('HTTP ' + resp.status);
              err.final = resp.status < 500;
              throw err;
            }
            validator = validator || resp.headers.get('ETag') || resp.headers.get('Last-Modified');
            reader = resp.body.getReader();
          }
          const { value, done } = await reader.read();
          if (done) {
            ctrl.close();
            return;
          }
          got += value.length;
          failures = 0;
          ctrl.enqueue(value);
          return;
        } catch (err) {
          reader = null;
          failures += 1;
          if (err.final || failures > 30) {
            err.network = true;
            ctrl.error(err);
            return;
          }
          port.postMessage({ retrying: true });
          await new Promise((resolve) => setTimeout(resolve, Math.min(10000, 250 * 2 ** failures)));
        }
      }
    },
  });
}

async function prepare(job, port) {
  try {
    const plain = await decrypterFor(job.secret).decrypt(resuming(job.url, port));
    jobs.set(job.token, { plain: plain, size: plain.size(job.size), name: job.name, port: port });
    port.postMessage({ ready: true });
  } catch (err) {
    port.postMessage({ error: String(err && err.message), wrongKey: !(err && err.network) });
  }
}

// The plaintext on its way to disk, telling the page how far it got.
function reporting(job) {
  let sent = 0;
  let told = 0;
  const counter = new TransformStream({
    transform(chunk, ctrl) {
      sent += chunk.length;
      if (sent - told >= job.size / 100) {
        told = sent;
        job.port.postMessage({ progress: sent, total: job.size });
      }
      ctrl.enqueue(chunk);
    },
    flush() {
      job.port.postMessage({ done: sent });
    },
  });
  // A chunk that fails authentication, or a server gone for good: the
  // download fails in the browser, and the page says why.
  job.plain.pipeTo(counter.writable).catch((err) => {
    job.port.postMessage({ error: String(err && err.message), wrongKey: false });
  });
  return counter.readable;
}

self.addEventListener('fetch', (e) => {
  const m = /^\/decrypt\/([0-9a-f]{32})\//.exec(new URL(e.request.url).pathname);
  if (!m) {
    return;
  }
  const job = jobs.get(m[1]);
  jobs.delete(m[1]);
  if (!job) {
    e.respondWith(new Response('Not found', { status: 404 }));
    return;
  }
  e.respondWith(new Response(reporting(job), {
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': "attachment; filename*=UTF-8''" + encodeURIComponent(job.name),
      'Content-Length': String(job.size),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  }));
});
