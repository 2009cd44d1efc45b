"""tuspy, the tus project's Python client, uploading to dropspace for
tests/tus_clients.rs. One JSON argument says what to do; one JSON line
tells what happened.

  {"endpoint", "file", "state", "metadata", "chunk_size",
   "stop_at": bytes to send before stopping (null: all),
   "terminate": end the upload (DELETE) instead of finishing it,
   "retries", "retry_delay": tuspy's own retrying of a failed chunk}

The upload URL is kept in the `state` file (tuspy's FileStorage, keyed by
the file's fingerprint), so a second run resumes where the first stopped.
"""

import json
import sys

import requests
from tusclient import client
from tusclient.storage import filestorage


def main():
    job = json.loads(sys.argv[1])
    storage = filestorage.FileStorage(job["state"])
    tus = client.TusClient(job["endpoint"])
    uploader = tus.uploader(
        job["file"],
        chunk_size=job["chunk_size"],
        metadata=job["metadata"],
        store_url=True,
        url_storage=storage,
        upload_checksum=True,
        retries=job.get("retries", 0),
        retry_delay=job.get("retry_delay", 30),
    )
    resumed_at = uploader.offset if uploader.url else None
    if job.get("terminate"):
        uploader.upload(stop_at=job["stop_at"])
        resp = requests.delete(uploader.url, headers={"Tus-Resumable": "1.0.0"})
        print(json.dumps({"url": uploader.url, "deleted": resp.status_code}))
        return
    uploader.upload(stop_at=job.get("stop_at"))
    headers = uploader.request.response_headers if uploader.request else {}
    print(
        json.dumps(
            {
                "url": uploader.url,
                "resumed_at": resumed_at,
                "offset": uploader.offset,
                "file_id": headers.get("x-dropspace-file-id", ""),
            }
        )
    )
    storage.close()


if __name__ == "__main__":
    main()
