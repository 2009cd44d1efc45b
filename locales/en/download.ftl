# The download page, /file/{id} (src/pages/download.rs).
download-unavailable = This page cannot be shown right now.
download-wrong-password = Wrong password. A wrong or empty password was given.
download-password-wait = Too many wrong passwords. Wait { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    } before trying again.
download-button = Download
download-preview-shared = A file shared with you
download-preview-open = Open the link to download it.
download-preview-size = { $size } to download.
download-preview-picture = A small picture of { $name }
download-protected = This file is protected by a password.
download-password = Password
download-unlock = Unlock
download-description = Description
download-checksum = Checksum
download-name = Name
download-size = Size
download-size-exact = { $size } ({ $bytes ->
        [one] { $bytes } byte
       *[other] { $bytes } bytes
    })
download-uploaded = Uploaded
download-expires = Expires
download-downloads-left = Downloads left
download-expired = This file has expired: it could be downloaded until { $date }.
download-limit-reached = This file can no longer be downloaded: its download limit has been reached.
download-not-found-title = File not found
download-not-found-text = No file has this link. It may have been deleted by its owner, or the link may be incomplete.
download-encrypted = End-to-end encrypted
download-encrypted-how = The server cannot read this file. Decrypt it below in this browser, or after downloading it with age: `age -d -i key.txt` (or the passphrase), or with `dropspace client download` and the link you were given.
