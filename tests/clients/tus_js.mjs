// tus-js-client, the tus project's JavaScript client, uploading to dropspace
// under node for tests/tus_clients.rs. One JSON argument says what to do;
// one JSON line tells what happened.
//
//   {endpoint, file, state, metadata, chunkSize,
//    stopAfterChunks: abort after this many acknowledged chunks (0: never),
//    terminate: end the upload (DELETE) when stopping,
//    withUpload: send the first chunk with the creation,
//    deferLength: create with Upload-Defer-Length, as for a stream of
//      unknown size, and declare the length once the stream ends}
//
// The upload URL is kept in the `state` file, keyed by tus-js-client's
// fingerprint of the file (path, size and mtime), so a second run resumes.
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { Upload } from 'tus-js-client';

// tus-js-client's url storage interface over one JSON file (its own
// FileUrlStorage holds a lock file that outlives an abort's exit).
class JsonUrlStorage {
  constructor(path) {
    this.path = path;
  }
  read() {
    try {
      return JSON.parse(fs.readFileSync(this.path, 'utf8'));
    } catch {
      return {};
    }
  }
  write(all) {
    fs.writeFileSync(this.path, JSON.stringify(all));
  }
  async findAllUploads() {
    return Object.entries(this.read()).map(([urlStorageKey, u]) => ({ ...u, urlStorageKey }));
  }
  async findUploadsByFingerprint(fingerprint) {
    return (await this.findAllUploads()).filter((u) => u.urlStorageKey.startsWith(`${fingerprint}::`));
  }
  async removeUpload(key) {
    const all = this.read();
    delete all[key];
    this.write(all);
  }
  async addUpload(fingerprint, upload) {
    const key = `${fingerprint}::${Date.now()}`;
    const all = this.read();
    all[key] = upload;
    this.write(all);
    return key;
  }
}

const job = JSON.parse(process.argv[2]);
// A deferred length is for a stream of unknown size: a pipe, not a file
// (tus-js-client would read a file's ReadStream by its path and size).
const stream = job.deferLength
  ? fs.createReadStream(job.file).pipe(new PassThrough())
  : fs.createReadStream(job.file);
let chunks = 0;
let resumedAt = null;

const upload = new Upload(stream, {
  endpoint: job.endpoint,
  chunkSize: job.chunkSize,
  metadata: job.metadata,
  uploadSize: job.deferLength ? undefined : fs.statSync(job.file).size,
  uploadLengthDeferred: Boolean(job.deferLength),
  urlStorage: new JsonUrlStorage(job.state),
  uploadDataDuringCreation: Boolean(job.withUpload),
  removeFingerprintOnSuccess: true,
  retryDelays: [200, 500, 1000, 2000],
  onChunkComplete(_size, acked) {
    chunks += 1;
    if (job.stopAfterChunks && chunks >= job.stopAfterChunks) {
      upload.abort(Boolean(job.terminate)).then(() => {
        console.log(JSON.stringify({ url: upload.url, offset: acked, stopped: true }));
        process.exit(0);
      });
    }
  },
  onError(err) {
    console.log(JSON.stringify({ error: String(err) }));
    process.exit(1);
  },
  onSuccess({ lastResponse }) {
    console.log(
      JSON.stringify({
        url: upload.url,
        resumedAt,
        fileId: lastResponse.getHeader('X-Dropspace-File-Id') || '',
      }),
    );
    process.exit(0);
  },
});

const previous = await upload.findPreviousUploads();
if (previous.length > 0) {
  upload.resumeFromPreviousUpload(previous[0]);
  resumedAt = previous[0].uploadUrl;
}
upload.start();
