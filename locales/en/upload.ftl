# The upload page (src/pages/upload.rs).
upload-title = Upload
# $name is the account's name, in bold.
upload-to-account = Files go to your account, { $name }.
upload-anonymous = You are not logged in: files are uploaded anonymously, each with its own delete link.
upload-anonymous-off = Uploads without an account are turned off on this server: log in to upload.
upload-unavailable = The upload page cannot be shown right now. Please try again in a moment.
upload-needs-js = This page needs JavaScript to upload.
upload-drop = Drop files here
upload-or = or
upload-choose = Choose files to upload
upload-chosen = Chosen files
upload-optional = (optional)
upload-description = Description
upload-password = Download password
upload-password-hint = Asked for on the download page.
upload-recipients = Mail the link to
upload-recipients-hint = E-mail addresses, comma separated.
upload-message = Message to them
upload-expiry = Expires after
upload-expiry-hint = The file is deleted then.
upload-downloads = Download limit
upload-downloads-hint = Deleted after this many downloads.
upload-folder = Folder
upload-folder-root = My files (top level)
upload-bundle = One link for all the files (when there are several)
upload-start = Upload
upload-results = Uploads
upload-never = Never
upload-days = { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
upload-hours = { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
upload-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
upload-seconds = { $count ->
        [one] { $count } second
       *[other] { $count } seconds
    }
upload-not-logged-in = Not logged in
upload-csrf-refused = The page expired or did not come from this site; reload it.

# The page's script (src/pages/static/upload.js) gets these with the
# variables left as {name} for it to fill in.
upload-js-bytes-one = { $count } byte
upload-js-bytes-other = { $count } bytes
upload-js-uploading-one = { $count } file uploading…
upload-js-uploading-other = { $count } files uploading…
upload-js-retry-one = { $count } file failed: press Upload to try again.
upload-js-retry-other = { $count } files failed: press Upload to try again.
upload-js-copy = Copy
upload-js-copied = Copied
upload-js-link-download = Download
upload-js-link-delete = Delete
upload-js-link-bundle = Bundle
upload-js-link-receipt = Receipt
upload-js-copy-download = Copy download link for { $name }
upload-js-copy-delete = Copy delete link for { $name }
upload-js-copy-bundle = Copy bundle link for { $name }
upload-js-copy-receipt = Copy receipt link for { $name }
upload-js-copied-download = Copied the download link for { $name } to the clipboard
upload-js-copied-delete = Copied the delete link for { $name } to the clipboard
upload-js-copied-bundle = Copied the bundle link for { $name } to the clipboard
upload-js-copied-receipt = Copied the receipt link for { $name } to the clipboard
upload-js-upload-failed = Upload failed
upload-js-connection-failed = The connection failed
upload-js-was-cancelled = The upload was cancelled
upload-js-secs = { $s } s
upload-js-mins = { $m } min { $s } s
upload-js-hours = { $h } h { $m } min
upload-js-speed = · { $rate }/s, { $left } left
upload-js-resuming = Resuming the upload left unfinished…
upload-js-cancel = Cancel
upload-js-cancel-label = Cancel the upload of { $name }
upload-js-progress-label = Upload of { $name }
# Several files at once: their sum ($count is at least 2).
upload-js-overall = All { $count } files
upload-js-overall-label = Upload of all files
upload-js-too-large = The file is larger than the maximum file size ({ $max })
upload-js-scanning = Stored. It is being scanned for viruses; its links work once it is found clean.
upload-js-done = Done.
upload-js-cancelled = Cancelled.
upload-js-failed = Failed: { $reason }
upload-js-one-link = One link for all { $count } files
upload-js-all-files = all { $count } files
upload-js-qr-alt = QR code of the link to all { $count } files
upload-js-bundle-ready = One link for all { $count } files is ready.
upload-js-choose-first = Choose a file first.
upload-js-folder-name = Upload of { $when }
upload-js-bundle-failed = The files are stored, but one link for all of them failed: { $reason }
