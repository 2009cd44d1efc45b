// Encryption for the upload page (docs/encryption.md, "In the browser"),
// loaded by upload.js after the vendored age-encryption (global `age`)
// only when a batch is encrypted: how the batch is encrypted (the form's
// choice, or a file request's owner's keys), and each file as a stream of
// age ciphertext for tus-js-client, with its exact size.
'use strict';

window.dropspaceEncrypt = (function () {
  // How this batch is encrypted: null (not), or the recipients or
  // passphrase, with the new identity a link carries. Throws what to fix.
  async function sealFor(requestRecipients, post, tr) {
    if (requestRecipients.length > 0) {
      return { recipients: requestRecipients };
    }
    const how = document.querySelector('input[name="encrypt-with"]:checked').value;
    if (how === 'passphrase') {
      const passphrase = document.getElementById('encrypt-passphrase').value;
      if (passphrase.length < 10) {
        throw new Error(tr('passphrase-short'));
      }
      return { passphrase: passphrase };
    }
    if (how === 'users') {
      const names = document.getElementById('encrypt-to').value.trim();
      if (names === '') {
        throw new Error(tr('to-nobody'));
      }
      const found = await post('/upload/keys', { names: names });
      return { recipients: found.recipients };
    }
    // One new key for the batch, kept only in this page and its links.
    const identity = await window.age.generateX25519Identity();
    return { identity: identity, recipients: [await window.age.identityToRecipient(identity)] };
  }

  // The file as age ciphertext: a stream reader for tus-js-client, its
  // exact size (age's chunking fixes it) and its name.
  async function sealed(file, seal, chunkSize) {
    const e = new window.age.Encrypter();
    if (seal.passphrase) {
      e.setPassphrase(seal.passphrase);
    } else {
      seal.recipients.forEach((r) => e.addRecipient(r));
    }
    const stream = await e.encrypt(file.stream());
    return {
      reader: blocks(stream, chunkSize),
      size: stream.size(file.size),
      name: file.name + '.age',
    };
  }

  // A stream read in blocks of `size` bytes (the last one shorter):
  // tus-js-client then takes each chunk in one read instead of joining
  // many small pieces, copying them over and over.
  function blocks(stream, size) {
    const reader = stream.getReader();
    let rest = new Uint8Array(0);
    return {
      async read() {
        const out = new Uint8Array(size);
        let used = 0;
        while (used < size) {
          if (rest.length === 0) {
            const { value, done } = await reader.read();
            if (done) {
              break;
            }
            rest = value;
          }
          const n = Math.min(size - used, rest.length);
          out.set(rest.subarray(0, n), used);
          used += n;
          rest = rest.subarray(n);
        }
        if (used === 0) {
          return { value: undefined, done: true };
        }
        return { value: used < size ? out.subarray(0, used) : out, done: false };
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    };
  }

  return { sealFor: sealFor, sealed: sealed };
})();
